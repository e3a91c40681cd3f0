/** The kernel_info_reply content: who we are, and the language for editors and nbconvert. */
import * as path from 'path';
import { PROTOCOL_VERSION, type Json } from './wire';

const REPO = path.resolve(__dirname, '..', '..');

function versionOf(pkgJson: string): string {
  try {
    return (require(pkgJson) as { version: string }).version;
  } catch {
    return '';
  }
}

/**
 * The language as the kernel reports it in kernel_info. Notebooks store exactly this object
 * (scripts/notebooks/build.ts uses it): the classic notebook copies the kernel's language_info
 * into the notebook when the kernel starts, so any difference marks a fresh notebook as changed.
 */
export function languageInfo(): Json {
  return {
    name: 'typescript',
    version: versionOf('typescript/package.json'),
    mimetype: 'text/typescript',
    file_extension: '.ts',
    pygments_lexer: 'typescript',
    // The classic notebook reads name+typescript; JupyterLab maps the mimetype.
    codemirror_mode: { name: 'javascript', typescript: true },
    nbconvert_exporter: 'script',
  };
}

export function kernelInfo(): Json {
  const kit = versionOf(path.join(REPO, 'package.json'));
  const ts = versionOf('typescript/package.json');
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'ts231n',
    implementation_version: kit,
    language_info: languageInfo(),
    banner: `ts231n ${kit}: TypeScript ${ts} on Node ${process.version} (cells run on tslab's compiler; Tab completes, Shift-Tab inspects)`,
    help_links: [
      { text: 'TensorFlow.js API', url: 'https://js.tensorflow.org/api/latest/' },
      { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
    ],
    debugger: false,
  };
}
