/**
 * A download progress bar on stderr: redrawn in place on a terminal (at most 10 times a second),
 * one line per 10 % otherwise (CI logs).
 */
export interface ProgressBar {
  update(done: number, total: number | undefined): void;
  finish(): void;
}

const WIDTH = 30;

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const tty = Boolean(stream.isTTY);
  const started = Date.now();
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  let first: number | null = null;
  const line = (done: number, total: number | undefined) => {
    const secs = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = `${mb((done - (first ?? 0)) / secs)} MB/s`;
    if (!total) return `${label} ${mb(done)} MB ${rate}`;
    const f = Math.min(done / total, 1);
    const filled = Math.round(f * WIDTH);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${mb(done)}/${mb(total)} MB ${rate}`;
  };
  return {
    update(done, total) {
      if (first === null) first = done;
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 100 && done !== total) return;
        lastDraw = now;
        stream.write(`\r${line(done, total)}\x1b[K`);
        drawn = true;
      } else if (total) {
        const decile = Math.floor((done / total) * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(line(done, total) + '\n');
        }
      }
    },
    finish() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
