import { errorCodes } from '../src/core/index.js';

/** errorsMarkdown is the text of docs/errors.md, generated from the code registry. */
export function errorsMarkdown(): string {
  const rows = Object.entries(errorCodes).map(([code, info]) => `| \`${code}\` | ${info.exit} | ${info.http} | ${info.summary} | ${info.hint} |`);
  return [
    '# Error codes',
    '',
    'Every failure Flotilla reports carries one of these stable codes. The CLI prints',
    '`error [CODE]: message` and a hint (or `{"error": {...}}` with `--output json`) and exits with the',
    'status below; the hub API answers with the HTTP status below. Scripts may match on the codes: they',
    'are never renamed. This page is generated from `src/core/error-codes.ts` by `npm run docs`.',
    '',
    '| code | exit | HTTP | meaning | what to do |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
