// printYamlDocument writes plain JSON data exactly as kustomize prints it: kustomize turns each
// object into JSON and that into YAML with sigs.k8s.io/yaml, whose go-yaml v2 encoder and emitter
// decide key order, quoting, block scalars and line folding. This file follows those decisions
// (encode.go stringv/floatv, sorter.go keyList.Less, emitterc.go analyze_scalar,
// select_scalar_style and the scalar writers) for the block-style documents kustomize prints.
// It only prints; reading YAML stays with the `yaml` package.

const bestIndent = 2;
const bestWidth = 80;
const maxSimpleKeyBytes = 128;

/** printYamlDocument prints one JSON value as one go-yaml v2 document (without a `---` line). */
export function printYamlDocument(value: unknown): string {
  const e = new Emitter();
  if (isMap(value) && Object.keys(value).length > 0) e.mappingBody(value, 0, true);
  else if (Array.isArray(value) && value.length > 0) e.sequenceBody(value, 0, true);
  else e.node(value, 0);
  e.text += '\n';
  return e.text;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Style = 'plain' | 'single' | 'double' | 'literal';

class Emitter {
  text = '';
  column = 0;
  /** Whether the last character written was whitespace (go-yaml's emitter.whitespace). */
  whitespace = true;
  /** Whether the text ends with a line break that a block scalar wrote (so no break is needed). */
  atLineStart = false;

  put(s: string): void {
    this.atLineStart = false;
    this.text += s;
    this.column += s.length;
    this.whitespace = false;
  }

  /** putChar writes one character (a code point); the column counts characters, as go-yaml's does. */
  putChar(c: string): void {
    this.atLineStart = false;
    this.text += c;
    this.column += 1;
    this.whitespace = false;
  }

  newline(indent: number): void {
    this.text += (this.atLineStart ? '' : '\n') + ' '.repeat(indent);
    this.atLineStart = false;
    this.column = indent;
    this.whitespace = true;
  }

  /** mappingBody writes the entries of a non-empty map, keys at `indent`; `inline` when positioned already (after `- ` or at the start). */
  mappingBody(map: Record<string, unknown>, indent: number, inline: boolean): void {
    const keys = Object.keys(map).filter((k) => map[k] !== undefined).sort(compareKeys);
    keys.forEach((key, i) => {
      if (i > 0 || !inline) this.newline(indent);
      const value = map[key];
      if (isSimpleKey(key)) {
        this.scalar(key, indent + bestIndent, true);
        this.put(':');
        this.whitespace = false;
      } else {
        this.put('?');
        this.whitespace = true;
        this.put(' ');
        this.whitespace = true;
        this.scalar(key, indent + bestIndent, false);
        this.newline(indent);
        this.put(':');
      }
      this.value(value, indent);
    });
  }

  /** value writes a map entry's value after its `key:`. */
  value(value: unknown, indent: number): void {
    if (isMap(value) && Object.keys(value).some((k) => value[k] !== undefined)) {
      this.mappingBody(value, indent + bestIndent, false);
    } else if (Array.isArray(value) && value.length > 0) {
      // A sequence in a mapping is not indented (go-yaml's indentless sequence).
      this.sequenceBody(value, indent, false);
    } else {
      this.node(value, indent + bestIndent);
    }
  }

  sequenceBody(list: readonly unknown[], indent: number, inline: boolean): void {
    list.forEach((item, i) => {
      if (i > 0 || !inline) this.newline(indent);
      this.put('-');
      this.put(' ');
      this.whitespace = true;
      if (isMap(item) && Object.keys(item).some((k) => item[k] !== undefined)) this.mappingBody(item, indent + bestIndent, true);
      else if (Array.isArray(item) && item.length > 0) this.sequenceBody(item, indent + bestIndent, true);
      else this.node(item, indent + bestIndent);
    });
  }

  /** node writes a scalar or an empty collection at the current position; `indent` is where folded lines continue. */
  node(value: unknown, indent: number): void {
    if (Array.isArray(value)) return this.flow('[]');
    if (isMap(value)) return this.flow('{}');
    if (value === null || value === undefined) return this.flow('null');
    if (typeof value === 'boolean') return this.flow(value ? 'true' : 'false');
    if (typeof value === 'number') return this.flow(formatNumber(value));
    this.scalar(String(value), indent, false);
  }

  flow(text: string): void {
    if (!this.whitespace) this.put(' ');
    this.put(text);
  }

  /** scalar writes a string in the style go-yaml v2 picks, folding long lines past column 80 as it does. */
  scalar(s: string, indent: number, simpleKey: boolean): void {
    const style = chooseStyle(s, simpleKey);
    const allowBreaks = !simpleKey;
    if (style === 'plain') {
      if (!this.whitespace) this.put(' ');
      this.folded(s, indent, allowBreaks, 'plain');
    } else if (style === 'single') {
      if (!this.whitespace) this.put(' ');
      this.put("'");
      this.folded(s, indent, allowBreaks, 'single');
      this.put("'");
    } else if (style === 'double') {
      if (!this.whitespace) this.put(' ');
      this.put('"');
      this.doubleQuoted(s, indent, allowBreaks);
      this.put('"');
    } else {
      this.literal(s, indent);
    }
  }

  folded(s: string, indent: number, allowBreaks: boolean, style: 'plain' | 'single'): void {
    const chars = Array.from(s);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        const nextIsSpace = chars[i + 1] === ' ';
        const inner = style === 'plain' || (i > 0 && i < chars.length - 1);
        if (allowBreaks && !spaces && this.column > bestWidth && !nextIsSpace && inner) {
          this.newline(indent);
        } else {
          this.putChar(c);
        }
        spaces = true;
      } else {
        if (style === 'single' && c === "'") this.putChar("'");
        this.putChar(c);
        spaces = false;
      }
    }
  }

  doubleQuoted(s: string, indent: number, allowBreaks: boolean): void {
    const chars = Array.from(s);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const code = c.codePointAt(0)!;
      if (!isPrintable(code) || code === 0xfeff || isBreak(code) || c === '"' || c === '\\') {
        this.put('\\' + escapeFor(code));
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > bestWidth && i > 0 && i < chars.length - 1) {
          this.newline(indent);
          if (chars[i + 1] === ' ') this.put('\\');
        } else {
          this.putChar(c);
        }
        spaces = true;
      } else {
        this.putChar(c);
        spaces = false;
      }
    }
  }

  literal(s: string, indent: number): void {
    if (!this.whitespace) this.put(' ');
    let header = '|';
    const chars = Array.from(s);
    const code = (i: number) => chars[i]!.codePointAt(0)!;
    if (chars.length > 0 && (code(0) === 0x20 || isBreak(code(0)))) header += String(bestIndent);
    const last = chars.length - 1;
    if (last < 0 || !isBreak(code(last))) header += '-';
    else if (last === 0 || isBreak(code(last - 1))) header += '+';
    this.put(header);
    this.text += '\n';
    this.column = 0;
    let breaks = true;
    for (let i = 0; i < chars.length; i++) {
      if (isBreak(code(i))) {
        this.text += chars[i];
        this.column = 0;
        breaks = true;
      } else {
        if (breaks) {
          this.text += ' '.repeat(indent);
          this.column = indent;
          breaks = false;
        }
        this.text += chars[i];
        this.column++;
      }
    }
    // After a block scalar that ends in a line break the next node starts on the fresh line.
    this.atLineStart = breaks;
    this.whitespace = true;
  }
}

function isSimpleKey(key: string): boolean {
  if (key.includes('\n') || /[\r\u0085\u2028\u2029]/.test(key)) return false;
  return Buffer.byteLength(key) <= maxSimpleKeyBytes;
}

function isBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/** isPrintable is go-yaml's is_printable, for the code points a string holds. */
function isPrintable(code: number): boolean {
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
  );
}

function escapeFor(code: number): string {
  switch (code) {
    case 0x00:
      return '0';
    case 0x07:
      return 'a';
    case 0x08:
      return 'b';
    case 0x09:
      return 't';
    case 0x0a:
      return 'n';
    case 0x0b:
      return 'v';
    case 0x0c:
      return 'f';
    case 0x0d:
      return 'r';
    case 0x1b:
      return 'e';
    case 0x22:
      return '"';
    case 0x5c:
      return '\\';
    case 0x85:
      return 'N';
    case 0xa0:
      return '_';
    case 0x2028:
      return 'L';
    case 0x2029:
      return 'P';
  }
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return 'x' + hex.padStart(2, '0');
  if (code <= 0xffff) return 'u' + hex.padStart(4, '0');
  return 'U' + hex.padStart(8, '0');
}

/**
 * chooseStyle is go-yaml v2's choice for a string: encode.go asks for a literal block when the
 * string has a line break, plain when YAML 1.1 would read it back as the same string, double
 * quotes otherwise; the emitter then falls back (plain → single → double, literal → double) when
 * the content does not allow the style (emitterc.go analyze_scalar and select_scalar_style).
 */
function chooseStyle(s: string, simpleKey: boolean): Style {
  const a = analyze(s);
  let style: Style;
  if (s.includes('\n')) style = 'literal';
  else if (!resolvesAsNonString(s) && !base60.test(s)) style = 'plain';
  else style = 'double';
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (s.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  return style;
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function analyze(s: string): Analysis {
  if (s.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  // Walk code points without allocating: a surrogate pair is one character, never printable here.
  for (let i = 0; i < s.length; i++) {
    let code = s.charCodeAt(i);
    const first = i === 0;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      code = 0x10000 + ((code - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
      i++;
    }
    const last = i === s.length - 1;
    const next = last ? -1 : s.charCodeAt(i + 1);
    const followedByWhitespace = next === -1 || next === 0x20 || next === 0x09 || isBreak(next);
    if (first) {
      if (code < 0x80 && '#,[]{}&*!|>\'"%@`'.includes(String.fromCharCode(code))) blockIndicators = true;
      else if ((code === 0x3f || code === 0x3a || code === 0x2d) && followedByWhitespace) blockIndicators = true;
    } else if (code === 0x3a && followedByWhitespace) {
      blockIndicators = true;
    } else if (code === 0x23 && precededByWhitespace) {
      blockIndicators = true;
    }
    if (!isPrintable(code)) special = true;
    if (code === 0x20) {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(code)) {
      lineBreaks = true;
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = code === 0x20 || code === 0x09 || isBreak(code);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

const yaml11Words = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
const goInt = /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$/;
const goFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const timestamp = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/;

/** resolvesAsNonString says whether go-yaml v2 would read this text, unquoted, as a bool, null, number or timestamp. */
export function resolvesAsNonString(s: string): boolean {
  if (yaml11Words.has(s)) return true;
  const c = s.charCodeAt(0);
  // Only strings starting with a digit, sign or dot can be numbers or timestamps.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return false;
  return goInt.test(s) || goFloat.test(s.replace(/_/g, '')) || base60.test(s) || timestamp.test(s);
}

/** formatNumber prints a number as JSON → go-yaml v2 does: integers in full, other floats in Go's shortest %g. */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  // Go's strconv 'g' with the shortest precision switches to an exponent below 1e-4 and from 1e6
  // (for floats; whole numbers arrive as integers), with at least two exponent digits.
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/**
 * compareKeys is go-yaml v2's key order (sorter.go keyList.Less): character by character, a
 * non-letter before a letter, runs of digits compared as numbers, letters by code point.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0;
}

const letter = /\p{L}/u;

function keyLess(a: string, b: string): boolean {
  // Keys are nearly always ASCII without surrogates: compare code units, splitting runes only when needed.
  const ar = /[\ud800-\udfff]/.test(a) ? Array.from(a) : a;
  const br = /[\ud800-\udfff]/.test(b) ? Array.from(b) : b;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
  }
  return ar.length < br.length;
}

function isLetter(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  return letter.test(c);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
