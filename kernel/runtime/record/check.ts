/**
 * `check(id, value?)`: compares a value (by default the last one recorded under `id` in this
 * process) with the public expectation for `id` in `checks.json` in the working directory (the
 * notebook's folder) and shows ✓ or ✗ with a short reason, as text and as HTML.
 */
import { encodeValue, escapeHtml, notImplementedOf, RecordError, type Encoded } from '../../protocol';
import { displayedResult, emit } from '../output';
import { checkId, evaluate, isThenable, type Outcome } from './argument';
import { ChecksFileError, loadChecks, type CheckSpec } from './checksFile';
import { evaluateCheck } from './expect';
import { store } from './store';

function report(id: string, pass: boolean, text: string): boolean {
  const line = `${pass ? '✓' : '✗'} ${id} — ${text}`;
  const colour = pass ? '#1a7f37' : '#cf222e';
  const html = `<div style="color:${colour};font-family:monospace">${pass ? '✓' : '✗'} <b>${escapeHtml(id)}</b> — ${escapeHtml(text)}</div>`;
  emit({ 'text/html': html, 'text/plain': line });
  return displayedResult(pass);
}

/**
 * Checks a value against the public expectation for `id` in ./checks.json, prints ✓ or ✗ with
 * a short reason and returns whether it passed. Without a value, checks the last value recorded
 * under `id` in this process. Never throws for a wrong, missing or unimplemented value: a failed
 * check is feedback, not a crash (it returns false).
 */
export function check(id: string, ...args: [] | [unknown]): boolean {
  checkId('check', id);
  let checks: Record<string, CheckSpec>;
  try {
    checks = loadChecks(process.cwd());
  } catch (e) {
    if (e instanceof ChecksFileError) return report(id, false, e.message);
    throw e;
  }
  const spec = checks[id];
  if (!spec) {
    const known = Object.keys(checks);
    const list = known.slice(0, 6).join(', ') + (known.length > 6 ? ', …' : '');
    return report(
      id,
      false,
      `unknown check id; checks.json here has ${known.length} id${known.length === 1 ? '' : 's'}${known.length ? ': ' + list : ''}`,
    );
  }
  let encoded: Encoded;
  if (args.length === 0) {
    const stored = store().get(id);
    if (stored === undefined)
      return report(
        id,
        false,
        `nothing recorded under this id yet; run the cell that records it, or pass the value: check('${id}', value)`,
      );
    const todo = notImplementedOf(stored);
    if (todo) return report(id, false, `not implemented yet: ${todo.fn} in ${todo.file}`);
    encoded = stored;
  } else {
    let outcome: Outcome<unknown>;
    try {
      outcome = evaluate(args[0]);
    } catch (e) {
      const err = e as Error;
      return report(id, false, `${spec.description}: raised ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`);
    }
    if (outcome.ok === false)
      return report(id, false, `not implemented yet: ${outcome.notImplemented.fn} in ${outcome.notImplemented.file}`);
    if (isThenable(outcome.value)) return report(id, false, `got a Promise; await it first: check('${id}', await …)`);
    try {
      encoded = encodeValue(outcome.value);
    } catch (e) {
      if (e instanceof RecordError) return report(id, false, `${spec.description}: ${e.message}`);
      throw e;
    }
  }
  const result = evaluateCheck(spec.expect, encoded);
  return report(id, result.pass, result.pass ? spec.description : `${spec.description}: ${result.reason}`);
}
