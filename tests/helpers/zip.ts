/** Builds a zip in memory (yazl), for tests that feed the grader zipped submissions. */
import * as yazl from 'yazl';

export function zipOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  return new Promise((resolve) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries))
      z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
    z.end();
  });
}
