import * as fs from 'fs';
import * as path from 'path';

/** Write a file so that readers see the old content or the new one, never a half-written file. */
export function writeAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}
