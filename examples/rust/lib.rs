//! roman: a toolhost example plugin in Rust.
//!
//! One MCP tool, "roman", that converts an integer (1–3999) to a Roman
//! numeral or a Roman numeral back to an integer. It implements the
//! hyper-mcp V2 plugin ABI (exports `list_tools` and `call_tool`, JSON in and
//! out) directly against the Extism kernel imports, with the standard library
//! only: no extism-pdk, no serde. The JSON reader below is bounded (input
//! size, nesting depth) and never panics on bad input, so a malformed call
//! becomes an isError tool result instead of a trap.
//!
//! Build (see README.md and build.sh):
//!   /usr/bin/rustc --edition 2021 --target wasm32-wasi --crate-type cdylib \
//!       -C opt-level=s -C strip=symbols -o roman.wasm lib.rs

// ---- Extism kernel imports (module "extism:host/env") --------------------

#[link(wasm_import_module = "extism:host/env")]
extern "C" {
    #[link_name = "input_length"]
    fn extism_input_length() -> u64;
    #[link_name = "input_load_u64"]
    fn extism_input_load_u64(offset: u64) -> u64;
    #[link_name = "input_load_u8"]
    fn extism_input_load_u8(offset: u64) -> u8;
    #[link_name = "alloc"]
    fn extism_alloc(length: u64) -> u64;
    #[link_name = "store_u64"]
    fn extism_store_u64(offset: u64, value: u64);
    #[link_name = "store_u8"]
    fn extism_store_u8(offset: u64, value: u8);
    #[link_name = "output_set"]
    fn extism_output_set(offset: u64, length: u64);
    #[link_name = "error_set"]
    fn extism_error_set(offset: u64);
}

/// Bytes of call_tool input this tool accepts.
const MAX_INPUT: u64 = 4 << 20;
/// JSON nesting depth the reader accepts.
const MAX_DEPTH: usize = 32;

/// Reads the call's input, 8 bytes at a time (the single-byte import is much
/// slower through go-sdk).
fn input() -> Vec<u8> {
    let n = unsafe { extism_input_length() } as usize;
    let mut v = Vec::with_capacity(n);
    let mut i = 0;
    while i + 8 <= n {
        v.extend_from_slice(&unsafe { extism_input_load_u64(i as u64) }.to_le_bytes());
        i += 8;
    }
    while i < n {
        v.push(unsafe { extism_input_load_u8(i as u64) });
        i += 1;
    }
    v
}

/// Copies bytes into a fresh kernel memory block and returns its offset.
fn kernel_block(b: &[u8]) -> u64 {
    let off = unsafe { extism_alloc(b.len() as u64) };
    if off == 0 {
        return 0;
    }
    let mut chunks = b.chunks_exact(8);
    let mut i = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        unsafe { extism_store_u64(off + i, u64::from_le_bytes(w)) };
        i += 8;
    }
    for &c in chunks.remainder() {
        unsafe { extism_store_u8(off + i, c) };
        i += 1;
    }
    off
}

/// Sets the call's output; fails the call (rc 1) if the host has no memory.
fn output(s: &str) -> i32 {
    let off = kernel_block(s.as_bytes());
    if off == 0 && !s.is_empty() {
        let msg = kernel_block(b"roman: the host could not allocate the output block");
        if msg != 0 {
            unsafe { extism_error_set(msg) };
        }
        return 1;
    }
    unsafe { extism_output_set(off, s.len() as u64) };
    0
}

// ---- a small, strict JSON reader and writer ------------------------------

enum Json {
    Null,
    Bool(bool),
    /// The number's text, checked against the JSON grammar.
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// The last member named key (JSON objects may repeat keys; the last wins).
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

type Parsed<T> = Result<T, String>;

impl<'a> Reader<'a> {
    fn parse(b: &'a [u8]) -> Parsed<Json> {
        let mut r = Reader { b, i: 0, depth: 0 };
        r.ws();
        let v = r.value()?;
        r.ws();
        if r.i != r.b.len() {
            return Err(r.err("trailing data after the JSON value"));
        }
        Ok(v)
    }

    fn err(&self, what: &str) -> String {
        format!("{} at byte {}", what, self.i)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Parsed<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn value(&mut self) -> Parsed<Json> {
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Parsed<Json> {
        if self.b.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.i += 1; // '{' or '['
        self.ws();
        Ok(())
    }

    fn object(&mut self) -> Parsed<Json> {
        self.enter()?;
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Json::Obj(members));
        }
        loop {
            self.ws();
            let k = self.string()?;
            self.ws();
            self.expect(b':', "expected ':'")?;
            self.ws();
            let v = self.value()?;
            members.push((k, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Json::Obj(members));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Parsed<Json> {
        self.enter()?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = v << 4 | d as u32;
            self.i += 1;
        }
        Ok(v)
    }

    /// Reads a string. Invalid UTF-8 and lone surrogate escapes become
    /// U+FFFD, as Go's encoding/json does.
    fn string(&mut self) -> Parsed<String> {
        self.expect(b'"', "expected a string")?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(c) => c,
            };
            self.i += 1;
            match c {
                b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
                0..=0x1f => {
                    self.i -= 1;
                    return Err(self.err("control character in string"));
                }
                b'\\' => {
                    let e = match self.peek() {
                        None => return Err(self.err("unterminated escape")),
                        Some(e) => e,
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let mut cp = hi;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save; // read the second escape on its own
                                }
                            }
                            char::from_u32(cp).unwrap_or('\u{FFFD}')
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    };
                    let mut tmp = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Parsed<Json> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        let text = self.b.get(start..self.i).unwrap_or_default();
        Ok(Json::Num(String::from_utf8_lossy(text).into_owned()))
    }
}

/// Appends s as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn text_result(text: &str, structured: Option<&str>, is_error: bool) -> String {
    let mut out = String::from(r#"{"content":[{"type":"text","text":"#);
    push_json_str(&mut out, text);
    out.push_str("}]");
    if let Some(s) = structured {
        out.push_str(r#","structuredContent":"#);
        out.push_str(s);
    }
    out.push_str(if is_error { r#","isError":true}"# } else { r#","isError":false}"# });
    out
}

/// At most max bytes of s, cut at a character boundary, with "…" if cut.
fn short(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = s.get(..end).unwrap_or_default().to_string();
    if end < s.len() {
        out.push('…');
    }
    out
}

/// short, in double quotes, with quotes and control characters escaped.
fn quote_short(s: &str, max: usize) -> String {
    let mut out = String::new();
    push_json_str(&mut out, &short(s, max));
    out
}

// ---- Roman numerals ------------------------------------------------------

const MAX_ROMAN: u32 = 3999;

const SYMBOLS: [(u32, &str); 13] = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

/// to_roman writes n (1..=3999) in standard subtractive form.
fn to_roman(mut n: u32) -> String {
    let mut out = String::new();
    for &(v, s) in SYMBOLS.iter() {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// from_roman reads a numeral in standard form (any letter case): the
/// value it spells must write back to the same letters, which rejects
/// "IIII", "IC", "VX" and the like.
fn from_roman(s: &str) -> Result<u32, String> {
    let upper = s.trim().to_ascii_uppercase();
    if upper.is_empty() {
        return Err("roman: \"numeral\" is empty".to_string());
    }
    let mut total: u32 = 0;
    let mut prev: u32 = 0;
    for (i, c) in upper.chars().rev().enumerate() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            'C' => 100,
            'D' => 500,
            'M' => 1000,
            _ => {
                return Err(format!(
                    "roman: {} is not a Roman numeral: {} is not one of I V X L C D M",
                    quote_short(s, 40),
                    quote_short(&c.to_string(), 8)
                ))
            }
        };
        if i > 64 {
            return Err(format!("roman: {} is too long to be a numeral up to {}", quote_short(s, 40), MAX_ROMAN));
        }
        if v < prev {
            total = total.saturating_sub(v);
        } else {
            total = total.saturating_add(v);
            prev = v;
        }
    }
    if total == 0 || total > MAX_ROMAN || to_roman(total) != upper {
        let hint = if (1..=MAX_ROMAN).contains(&total) {
            format!(" (did you mean {}?)", to_roman(total))
        } else {
            String::new()
        };
        return Err(format!(
            "roman: {} is not a numeral in standard form between I and MMMCMXCIX{}",
            quote_short(s, 40),
            hint
        ));
    }
    Ok(total)
}

// ---- the plugin exports --------------------------------------------------

const TOOLS_JSON: &str = r#"{"tools":[{"name":"roman","title":"Roman numerals","description":"Converts an integer from 1 to 3999 to a Roman numeral, or a Roman numeral in standard form (like MMXXVI, any letter case) to an integer. Pass exactly one of number or numeral.","inputSchema":{"type":"object","properties":{"number":{"type":"integer","minimum":1,"maximum":3999,"description":"An integer to write as a Roman numeral."},"numeral":{"type":"string","minLength":1,"maxLength":64,"pattern":"^\\s*[IVXLCDMivxlcdm]+\\s*$","description":"A Roman numeral to read as an integer."}},"additionalProperties":false},"outputSchema":{"type":"object","properties":{"number":{"type":"integer"},"numeral":{"type":"string"}},"required":["number","numeral"]},"annotations":{"readOnlyHint":true,"idempotentHint":true,"openWorldHint":false}}]}"#;

#[no_mangle]
pub extern "C" fn list_tools() -> i32 {
    output(TOOLS_JSON)
}

#[no_mangle]
pub extern "C" fn call_tool() -> i32 {
    let out = match run() {
        Ok((text, structured)) => text_result(&text, Some(&structured), false),
        Err(msg) => text_result(&msg, None, true),
    };
    output(&out)
}

/// run handles one call_tool input; Err is a message for an isError result.
fn run() -> Result<(String, String), String> {
    let n = unsafe { extism_input_length() };
    if n > MAX_INPUT {
        return Err(format!("roman: the call is {} bytes, more than the {} this tool accepts", n, MAX_INPUT));
    }
    let doc = Reader::parse(&input()).map_err(|e| format!("roman: malformed call_tool input: {}", e))?;
    let req = match doc.get("request") {
        Some(r @ Json::Obj(_)) => r,
        _ => return Err("roman: call_tool input lacks the request object".to_string()),
    };
    match req.get("name") {
        Some(Json::Str(name)) if name == "roman" => {}
        Some(Json::Str(name)) => {
            return Err(format!("roman: unknown tool {}; this plugin has only \"roman\"", quote_short(name, 64)))
        }
        _ => return Err("roman: call_tool input lacks request.name".to_string()),
    }
    let args = match req.get("arguments") {
        None | Some(Json::Null) => None,
        Some(a @ Json::Obj(_)) => Some(a),
        Some(other) => return Err(format!("roman: arguments must be an object, not {}", other.kind())),
    };
    let number = args.and_then(|a| a.get("number"));
    let numeral = args.and_then(|a| a.get("numeral"));
    let n = match (number, numeral) {
        (Some(_), Some(_)) => return Err("roman: pass either \"number\" or \"numeral\", not both".to_string()),
        (None, None) => {
            return Err("roman: pass \"number\" (an integer from 1 to 3999) or \"numeral\" (a Roman numeral)".to_string())
        }
        (Some(Json::Num(raw)), None) => parse_number(raw)?,
        (Some(other), None) => return Err(format!("roman: \"number\" must be an integer, not {}", other.kind())),
        (None, Some(Json::Str(s))) => from_roman(s)?,
        (None, Some(other)) => return Err(format!("roman: \"numeral\" must be a string, not {}", other.kind())),
    };
    let numeral = to_roman(n);
    let text = match number {
        Some(_) => numeral.clone(),
        None => n.to_string(),
    };
    let mut structured = format!(r#"{{"number":{},"numeral":"#, n);
    push_json_str(&mut structured, &numeral);
    structured.push('}');
    Ok((text, structured))
}

/// parse_number accepts a JSON number with an integral value from 1 to 3999
/// (so 12, 12.0 and 1.2e1 all mean twelve, as JSON Schema's "integer" does).
fn parse_number(raw: &str) -> Result<u32, String> {
    let v: f64 = raw.parse().map_err(|_| format!("roman: \"number\" {} is not a number", short(raw, 32)))?;
    if v.fract() != 0.0 || !v.is_finite() {
        return Err(format!("roman: \"number\" must be an integer, not {}", short(raw, 32)));
    }
    if !(1.0..=MAX_ROMAN as f64).contains(&v) {
        return Err(format!(
            "roman: {} has no Roman numeral: \"number\" must be from 1 to {}",
            short(raw, 32),
            MAX_ROMAN
        ));
    }
    Ok(v as u32)
}
