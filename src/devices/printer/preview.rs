//! ESC/POS bytes read back as text, so a person can review a golden receipt
//! or see what `till doctor` sent, without paper. It understands the commands
//! Till's layouts use; anything else shows as `<1b xx>`.

/// PC858's upper half for the characters European receipts need.
const PC858: [(u8, char); 30] = [
    (0x80, 'Ç'),
    (0x81, 'ü'),
    (0x82, 'é'),
    (0x83, 'â'),
    (0x84, 'ä'),
    (0x85, 'à'),
    (0x87, 'ç'),
    (0x88, 'ê'),
    (0x89, 'ë'),
    (0x8a, 'è'),
    (0x8b, 'ï'),
    (0x8c, 'î'),
    (0x8e, 'Ä'),
    (0x8f, 'Å'),
    (0x90, 'É'),
    (0x93, 'ô'),
    (0x94, 'ö'),
    (0x96, 'û'),
    (0x97, 'ù'),
    (0x99, 'Ö'),
    (0x9a, 'Ü'),
    (0x9c, '£'),
    (0x9d, 'Ø'),
    (0xa0, 'á'),
    (0xa1, 'í'),
    (0xa2, 'ó'),
    (0xa4, 'ñ'),
    (0xbe, '¥'),
    (0xd5, '€'),
    (0xe1, 'ß'),
];

pub fn to_text(bytes: &[u8], columns: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut centered = false;
    let mut i = 0;
    let flush = |line: &mut String, out: &mut String, centered: bool| {
        let text = std::mem::take(line);
        let pad = if centered {
            columns.saturating_sub(text.chars().count()) / 2
        } else {
            0
        };
        out.push_str(&" ".repeat(pad));
        out.push_str(text.trim_end());
        out.push('\n');
    };
    while i < bytes.len() {
        let b = bytes[i];
        let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
        match b {
            0x0a => {
                flush(&mut line, &mut out, centered);
                i += 1;
            }
            0x1b => {
                let (skip, note) = match at(1) {
                    b'@' => (2, None),
                    b'a' => {
                        centered = at(2) == 1;
                        (3, None)
                    }
                    b'd' => {
                        for _ in 0..at(2) {
                            flush(&mut line, &mut out, centered);
                        }
                        (3, None)
                    }
                    b'p' => (
                        5,
                        Some(format!(
                            "[drawer kick, pin {}]",
                            if at(2) == 1 { 5 } else { 2 }
                        )),
                    ),
                    b't' | b'E' | b'-' | b'G' | b'M' | b'{' | b'!' | b'R' | b'3' | b'V' => {
                        (3, None)
                    }
                    b'2' => (2, None),
                    other => (2, Some(format!("<1b {other:02x}>"))),
                };
                if let Some(note) = note {
                    if !line.is_empty() {
                        flush(&mut line, &mut out, centered);
                    }
                    out.push_str(&note);
                    out.push('\n');
                }
                i += skip;
            }
            0x1d => match at(1) {
                b'!' | b'B' => i += 3,
                b'V' => {
                    if !line.is_empty() {
                        flush(&mut line, &mut out, centered);
                    }
                    out.push_str(&"~".repeat(columns));
                    out.push_str(" cut\n");
                    i += if at(2) >= 65 { 4 } else { 3 };
                }
                b'(' if at(2) == b'k' => {
                    let len = usize::from(at(3)) + usize::from(at(4)) * 256;
                    let body = &bytes[(i + 5).min(bytes.len())..(i + 5 + len).min(bytes.len())];
                    // cn 49 (QR), fn 80: the data to encode.
                    if body.len() >= 3 && body[0] == 49 && body[1] == 80 {
                        if !line.is_empty() {
                            flush(&mut line, &mut out, centered);
                        }
                        let data = String::from_utf8_lossy(&body[3..]);
                        let note = format!("[QR {data}]");
                        line.push_str(&note);
                        flush(&mut line, &mut out, centered);
                    }
                    i += 5 + len;
                }
                other => {
                    line.push_str(&format!("<1d {other:02x}>"));
                    i += 2;
                }
            },
            0x20..=0x7e => {
                line.push(char::from(b));
                i += 1;
            }
            _ => {
                match PC858.iter().find(|(code, _)| *code == b) {
                    Some((_, c)) => line.push(*c),
                    None => line.push_str(&format!("<{b:02x}>")),
                }
                i += 1;
            }
        }
    }
    if !line.is_empty() {
        flush(&mut line, &mut out, centered);
    }
    out
}
