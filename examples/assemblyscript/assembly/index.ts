// slugify: a toolhost example plugin in AssemblyScript.
//
// One MCP tool, "slugify", that turns a title into a URL slug
// ("Crème Brûlée: 10 Tips & Tricks!" -> "creme-brulee-10-tips-and-tricks").
// It implements the hyper-mcp V2 plugin ABI (exports list_tools and
// call_tool, JSON in and out) directly against the Extism kernel imports that
// @extism/as-pdk declares, with no JSON library: the small reader below is
// bounded (input size, nesting depth), checks every index, and turns every
// malformed input into an isError tool result instead of a trap.
//
// Build (see README.md and build.sh):
//   npx asc assembly/index.ts --outFile slugify.wasm --use abort=assembly/index/abort -O3 --noAssert

import {
  alloc,
  error_set,
  input_length,
  input_load_u64,
  input_load_u8,
  output_set,
  store_u64,
  store_u8,
} from "@extism/as-pdk/lib/env";

/** Bytes of call_tool input this tool accepts. */
const MAX_INPUT: u64 = 4 << 20;
/** JSON nesting depth the reader accepts. */
const MAX_DEPTH: i32 = 32;
/** Longest slug a caller may ask for, and the default length. */
const MAX_LENGTH: i32 = 256;
const DEFAULT_LENGTH: i32 = 80;

// ---- talking to the kernel ----------------------------------------------

/** Reads the call's input, 8 bytes at a time. */
function readInput(n: i32): Uint8Array {
  const b = new Uint8Array(n);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const v = input_load_u64(<u64>i);
    for (let k = 0; k < 8; k++) b[i + k] = <u8>(v >> (<u64>(8 * k)));
  }
  for (; i < n; i++) b[i] = input_load_u8(<u64>i);
  return b;
}

/** Copies bytes into a fresh kernel memory block and returns its offset. */
function kernelBlock(b: Uint8Array): u64 {
  const n = b.length;
  const off = alloc(<u64>n);
  if (off == 0) return 0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    let v: u64 = 0;
    for (let k = 7; k >= 0; k--) v = (v << 8) | <u64>b[i + k];
    store_u64(off + <u64>i, v);
  }
  for (; i < n; i++) store_u8(off + <u64>i, b[i]);
  return off;
}

/**
 * Sets s as the call's output. It counts UTF-8 bytes: as-pdk 1.0.0's
 * Host.outputString passes the UTF-16 length instead, which truncates any
 * output that is not ASCII.
 */
function output(s: string): i32 {
  const b = Uint8Array.wrap(String.UTF8.encode(s));
  const off = kernelBlock(b);
  if (off == 0 && b.length > 0) {
    setError("slugify: the host could not allocate the output block");
    return 1;
  }
  output_set(off, <u64>b.length);
  return 0;
}

function setError(msg: string): void {
  const off = kernelBlock(Uint8Array.wrap(String.UTF8.encode(msg)));
  if (off != 0) error_set(off);
}

/**
 * The AssemblyScript runtime calls this (then traps) on a failed internal
 * check; build with --use abort=assembly/index/abort. The tool never means
 * to get here, but if it does the host gets a message rather than a bare
 * trap.
 */
function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  setError(
    "slugify: internal error: " + (message !== null ? message : "abort") + " at " +
      (file !== null ? file : "?") + ":" + line.toString() + ":" + column.toString(),
  );
}

// ---- a small, strict JSON reader ------------------------------------------

const J_NULL = 0;
const J_BOOL = 1;
const J_NUM = 2;
const J_STR = 3;
const J_ARR = 4;
const J_OBJ = 5;

class Json {
  kind: i32 = J_NULL;
  str: string = ""; // J_STR: the decoded text; J_NUM: the number's text
  keys: string[] = []; // J_OBJ
  vals: Json[] = []; // J_OBJ values, or J_ARR items

  /** The last member named key (JSON objects may repeat keys; the last wins). */
  get(key: string): Json | null {
    if (this.kind != J_OBJ) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] == key) return this.vals[i];
    }
    return null;
  }

  kindName(): string {
    switch (this.kind) {
      case J_NULL: return "null";
      case J_BOOL: return "a boolean";
      case J_NUM: return "a number";
      case J_STR: return "a string";
      case J_ARR: return "an array";
      default: return "an object";
    }
  }
}

class Reader {
  i: i32 = 0;
  depth: i32 = 0;
  err: string | null = null;

  constructor(public b: Uint8Array) {}

  fail(what: string): Json | null {
    if (this.err === null) this.err = what + " at byte " + this.i.toString();
    return null;
  }

  /** The byte at i, or -1 past the end. */
  peek(): i32 {
    return this.i < this.b.length ? <i32>this.b[this.i] : -1;
  }

  ws(): void {
    let c = this.peek();
    while (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) {
      this.i++;
      c = this.peek();
    }
  }

  parse(): Json | null {
    this.ws();
    const v = this.value();
    if (v === null) return null;
    this.ws();
    if (this.i != this.b.length) return this.fail("trailing data after the JSON value");
    return v;
  }

  value(): Json | null {
    const c = this.peek();
    if (c < 0) return this.fail("unexpected end of input");
    if (c == 0x7b) return this.object();
    if (c == 0x5b) return this.array();
    if (c == 0x22) {
      const s = this.string();
      if (s === null) return null;
      const v = new Json();
      v.kind = J_STR;
      v.str = s;
      return v;
    }
    if (c == 0x74) return this.literal("true", J_BOOL);
    if (c == 0x66) return this.literal("false", J_BOOL);
    if (c == 0x6e) return this.literal("null", J_NULL);
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail("unexpected character");
  }

  literal(word: string, kind: i32): Json | null {
    for (let k = 0; k < word.length; k++) {
      if (this.peek() != word.charCodeAt(k)) return this.fail("invalid literal");
      this.i++;
    }
    const v = new Json();
    v.kind = kind;
    v.str = word;
    return v;
  }

  enter(): bool {
    if (++this.depth > MAX_DEPTH) {
      this.fail("nested too deeply");
      return false;
    }
    this.i++; // '{' or '['
    this.ws();
    return true;
  }

  object(): Json | null {
    if (!this.enter()) return null;
    const v = new Json();
    v.kind = J_OBJ;
    if (this.peek() == 0x7d) {
      this.i++;
      this.depth--;
      return v;
    }
    while (true) {
      this.ws();
      const k = this.string();
      if (k === null) return null;
      this.ws();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.i++;
      this.ws();
      const m = this.value();
      if (m === null) return null;
      v.keys.push(k);
      v.vals.push(m);
      this.ws();
      const c = this.peek();
      if (c == 0x2c) {
        this.i++;
      } else if (c == 0x7d) {
        this.i++;
        this.depth--;
        return v;
      } else {
        return this.fail("expected ',' or '}'");
      }
    }
  }

  array(): Json | null {
    if (!this.enter()) return null;
    const v = new Json();
    v.kind = J_ARR;
    if (this.peek() == 0x5d) {
      this.i++;
      this.depth--;
      return v;
    }
    while (true) {
      this.ws();
      const m = this.value();
      if (m === null) return null;
      v.vals.push(m);
      this.ws();
      const c = this.peek();
      if (c == 0x2c) {
        this.i++;
      } else if (c == 0x5d) {
        this.i++;
        this.depth--;
        return v;
      } else {
        return this.fail("expected ',' or ']'");
      }
    }
  }

  digits(): i32 {
    const start = this.i;
    let c = this.peek();
    while (c >= 0x30 && c <= 0x39) {
      this.i++;
      c = this.peek();
    }
    return this.i - start;
  }

  number(): Json | null {
    const start = this.i;
    if (this.peek() == 0x2d) this.i++;
    const c = this.peek();
    if (c == 0x30) this.i++;
    else if (c >= 0x31 && c <= 0x39) this.digits();
    else return this.fail("invalid number");
    if (this.peek() == 0x2e) {
      this.i++;
      if (this.digits() == 0) return this.fail("invalid number");
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.i++;
      const s = this.peek();
      if (s == 0x2b || s == 0x2d) this.i++;
      if (this.digits() == 0) return this.fail("invalid number");
    }
    const v = new Json();
    v.kind = J_NUM;
    v.str = String.UTF8.decode(this.b.slice(start, this.i).buffer);
    return v;
  }

  hex4(): i32 {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.peek();
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else {
        this.fail("invalid \\u escape");
        return -1;
      }
      v = (v << 4) | d;
      this.i++;
    }
    return v;
  }

  /**
   * Reads a string into UTF-8 bytes, then decodes them. Lone surrogate
   * escapes become U+FFFD, as Go's encoding/json does.
   */
  string(): string | null {
    if (this.peek() != 0x22) {
      this.fail("expected a string");
      return null;
    }
    this.i++;
    const out = new Array<u8>();
    while (true) {
      const c = this.peek();
      if (c < 0) {
        this.fail("unterminated string");
        return null;
      }
      if (c == 0x22) {
        this.i++;
        const bytes = new Uint8Array(out.length);
        for (let k = 0; k < out.length; k++) bytes[k] = out[k];
        return String.UTF8.decode(bytes.buffer);
      }
      if (c < 0x20) {
        this.fail("control character in string");
        return null;
      }
      this.i++;
      if (c != 0x5c) {
        out.push(<u8>c);
        continue;
      }
      const e = this.peek();
      this.i++;
      let cp: i32;
      if (e == 0x22) cp = 0x22;
      else if (e == 0x5c) cp = 0x5c;
      else if (e == 0x2f) cp = 0x2f;
      else if (e == 0x62) cp = 0x08;
      else if (e == 0x66) cp = 0x0c;
      else if (e == 0x6e) cp = 0x0a;
      else if (e == 0x72) cp = 0x0d;
      else if (e == 0x74) cp = 0x09;
      else if (e == 0x75) {
        cp = this.hex4();
        if (cp < 0) return null;
        if (cp >= 0xd800 && cp < 0xdc00 && this.peek() == 0x5c && this.i + 1 < this.b.length && this.b[this.i + 1] == 0x75) {
          const save = this.i;
          this.i += 2;
          const lo = this.hex4();
          if (lo < 0) return null;
          if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          else this.i = save; // read the second escape on its own
        }
        if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
      } else {
        this.i--;
        this.fail(e < 0 ? "unterminated escape" : "invalid escape");
        return null;
      }
      pushUTF8(out, cp);
    }
  }
}

function pushUTF8(out: Array<u8>, cp: i32): void {
  if (cp < 0x80) {
    out.push(<u8>cp);
  } else if (cp < 0x800) {
    out.push(<u8>(0xc0 | (cp >> 6)));
    out.push(<u8>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push(<u8>(0xe0 | (cp >> 12)));
    out.push(<u8>(0x80 | ((cp >> 6) & 0x3f)));
    out.push(<u8>(0x80 | (cp & 0x3f)));
  } else {
    out.push(<u8>(0xf0 | (cp >> 18)));
    out.push(<u8>(0x80 | ((cp >> 12) & 0x3f)));
    out.push(<u8>(0x80 | ((cp >> 6) & 0x3f)));
    out.push(<u8>(0x80 | (cp & 0x3f)));
  }
}

/** s as a JSON string literal. */
function jsonString(s: string): string {
  const hex = "0123456789abcdef";
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) out += "\\u00" + hex.charAt(c >> 4) + hex.charAt(c & 15);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/** At most max UTF-16 units of s, not splitting a surrogate pair, quoted. */
function quoteShort(s: string, max: i32): string {
  if (s.length <= max) return jsonString(s);
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c < 0xdc00) end--;
  return jsonString(s.substring(0, end) + "…");
}

// ---- slugs ------------------------------------------------------------------

/**
 * ASCII folding of U+00C0..U+017F (Latin-1 letters and Latin Extended-A):
 * one lower-case letter each, or A=ae, T=th, S=ss, J=ij, O=oe, and a space
 * for the two symbols (× and ÷), which separate words.
 */
const LATIN =
  "aaaaaaAceeeeiiiidnooooo ouuuuyTSaaaaaaAceeeeiiiidnooooo ouuuuyTy" +
  "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiJJjjkkklllllll" +
  "lllnnnnnnnnnooooooOOrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/** The ASCII letters a code point stands for, "" for a separator, or null to drop it. */
function fold(cp: i32): string | null {
  if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39)) return String.fromCharCode(cp);
  if (cp >= 0x41 && cp <= 0x5a) return String.fromCharCode(cp + 0x20);
  if (cp == 0x26) return "and"; // "&"
  if (cp == 0x27 || cp == 0x2019) return null; // apostrophes: "don't" -> "dont"
  if (cp >= 0x300 && cp < 0x370) return null; // combining accents of decomposed text
  if (cp >= 0xc0 && cp < 0x180) {
    const f = LATIN.charAt(cp - 0xc0);
    if (f == "A") return "ae";
    if (f == "T") return "th";
    if (f == "S") return "ss";
    if (f == "J") return "ij";
    if (f == "O") return "oe";
    if (f == " ") return "";
    return f;
  }
  return "";
}

/** slugify turns title into lower-case ASCII words joined by sep, at most max characters. */
function slugify(title: string, sep: string, max: i32): string {
  let slug = "";
  let pending = false; // a separator is due before the next word character
  for (let k = 0; k < title.length; k++) {
    let cp = <i32>title.charCodeAt(k);
    if (cp >= 0xd800 && cp < 0xdc00 && k + 1 < title.length) {
      const lo = <i32>title.charCodeAt(k + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        k++;
      }
    }
    const f = fold(cp);
    if (f === null) continue;
    if (f.length == 0) {
      pending = slug.length > 0;
      continue;
    }
    if (pending) {
      slug += sep;
      pending = false;
    }
    slug += f;
    if (slug.length > max + 1) break; // enough to cut at a word boundary below
  }
  if (slug.length <= max) return slug;
  // Cut at the last separator that keeps the slug within max, else mid-word.
  const cut = slug.lastIndexOf(sep, max);
  return cut > 0 ? slug.substring(0, cut) : slug.substring(0, max);
}

// ---- the plugin exports -------------------------------------------------------

const TOOLS_JSON =
  '{"tools":[{"name":"slugify","title":"Slugify",' +
  '"description":"Turns a title into a URL slug: lower-case ASCII letters and digits joined by a separator. ' +
  'Accented Latin letters lose their accents (é→e, ß→ss), & becomes and, apostrophes are dropped, and every other ' +
  'character separates words. Long slugs are cut at a word boundary.",' +
  '"inputSchema":{"type":"object","properties":{' +
  '"title":{"type":"string","maxLength":10000,"description":"The text to make a slug of."},' +
  '"separator":{"type":"string","enum":["-","_"],"default":"-","description":"What joins the words."},' +
  '"max_length":{"type":"integer","minimum":1,"maximum":256,"default":80,"description":"The longest slug to return."}' +
  '},"required":["title"],"additionalProperties":false},' +
  '"annotations":{"readOnlyHint":true,"idempotentHint":true,"openWorldHint":false}}]}';

export function list_tools(): i32 {
  return output(TOOLS_JSON);
}

export function call_tool(): i32 {
  const n = input_length();
  if (n > MAX_INPUT) {
    return output(result("slugify: the call is " + n.toString() + " bytes, more than the " + MAX_INPUT.toString() + " this tool accepts", true));
  }
  const r = new Reader(readInput(<i32>n));
  const doc = r.parse();
  if (doc === null) {
    const why = r.err;
    return output(result("slugify: malformed call_tool input: " + (why !== null ? why : "?"), true));
  }
  return output(handle(doc));
}

function result(text: string, isError: bool): string {
  return '{"content":[{"type":"text","text":' + jsonString(text) + '}],"isError":' + (isError ? "true" : "false") + "}";
}

/** handle answers one parsed call_tool input with a CallToolResult. */
function handle(doc: Json): string {
  const req = doc.get("request");
  if (req === null || req.kind != J_OBJ) return result("slugify: call_tool input lacks the request object", true);
  const name = req.get("name");
  if (name === null || name.kind != J_STR) return result("slugify: call_tool input lacks request.name", true);
  if (name.str != "slugify") {
    return result("slugify: unknown tool " + quoteShort(name.str, 64) + '; this plugin has only "slugify"', true);
  }
  let args = req.get("arguments");
  if (args !== null && args.kind == J_NULL) args = null;
  if (args !== null && args.kind != J_OBJ) return result("slugify: arguments must be an object, not " + args.kindName(), true);

  const title = args !== null ? args.get("title") : null;
  if (title === null) return result('slugify: the argument "title" is required', true);
  if (title.kind != J_STR) return result('slugify: "title" must be a string, not ' + title.kindName(), true);

  let sep = "-";
  const sepArg = args !== null ? args.get("separator") : null;
  if (sepArg !== null) {
    if (sepArg.kind != J_STR || (sepArg.str != "-" && sepArg.str != "_")) {
      return result('slugify: "separator" must be "-" or "_"', true);
    }
    sep = sepArg.str;
  }

  let max = DEFAULT_LENGTH;
  const maxArg = args !== null ? args.get("max_length") : null;
  if (maxArg !== null) {
    const v = maxArg.kind == J_NUM ? parseFloat(maxArg.str) : NaN;
    if (!(v >= 1 && v <= <f64>MAX_LENGTH) || v != Math.floor(v)) {
      return result('slugify: "max_length" must be an integer from 1 to ' + MAX_LENGTH.toString(), true);
    }
    max = <i32>v;
  }

  const slug = slugify(title.str, sep, max);
  if (slug.length == 0) {
    return result(
      "slugify: " + quoteShort(title.str, 64) +
        " has no letters or digits this tool can write in ASCII (it folds Latin letters only)",
      true,
    );
  }
  return result(slug, false);
}
