/**
 * Which OpenBLAS core types to try on this CPU, best first.
 *
 * Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not know CPUs newer than itself: on Sapphire
 * Rapids it picks "Prescott", a generic SSE3 kernel 3–8× slower than the AVX-512 one. The core
 * type is therefore chosen from the instruction-set flags the kernel reports, never from the
 * model name: every core type listed for a flag set only uses instructions those flags promise.
 * `OPENBLAS_CORETYPE` set by the user comes first. "" means the library's own choice (the last
 * resort: it is always correct, if slow).
 */
import * as fs from 'fs';

/** The instruction-set flags of the first CPU in /proc/cpuinfo (empty where there is none). */
export function cpuFlags(cpuinfo?: string): Set<string> {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return new Set();
    }
  }
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return new Set(
    line
      ? line
          .replace(/^[^:]*:/, '')
          .trim()
          .split(/\s+/)
      : [],
  );
}

/** Core types to try, best first, for an x86-64 CPU with these flags. */
export function coreTypeCandidates(
  flags: Set<string>,
  arch: string = process.arch,
  preset = process.env.OPENBLAS_CORETYPE,
): string[] {
  const out: string[] = [];
  if (preset) out.push(preset);
  if (arch === 'x64') {
    const has = (...f: string[]) => f.every((x) => flags.has(x));
    if (has('avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl')) out.push('SkylakeX');
    if (has('avx2', 'fma')) out.push('Haswell');
    if (has('avx')) out.push('Sandybridge');
  }
  out.push('');
  return [...new Set(out)];
}
