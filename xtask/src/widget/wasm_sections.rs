//! Drops a WebAssembly module's custom sections (id 0) before it is published.
//!
//! What the toolchain leaves there (`producers`: compiler versions; `target_features`;
//! wasm-bindgen's `__wasm_split_unstable`) is read by tools, never by a browser, and
//! cost about 250 B of the widget's brotli first load. The known sections, code and
//! data, are copied byte for byte.

use anyhow::{Result, bail};

const MAGIC_AND_VERSION: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const CUSTOM: u8 = 0;

/// The module without its custom sections; an error if `module` is not a well-formed
/// sequence of sections.
pub(crate) fn without_custom_sections(module: &[u8]) -> Result<Vec<u8>> {
    let Some(mut rest) = module.strip_prefix(&MAGIC_AND_VERSION) else {
        bail!("not a WebAssembly 1.0 module");
    };
    let mut kept = MAGIC_AND_VERSION.to_vec();
    while let Some((&id, after_id)) = rest.split_first() {
        let (size, after_size) = leb128_u32(after_id)?;
        let Some(body) = after_size.get(..size) else {
            bail!("section {id} runs past the end of the module");
        };
        if id != CUSTOM {
            let header = after_id.len() - after_size.len() + 1;
            kept.extend_from_slice(&rest[..header + size]);
        }
        rest = &after_size[body.len()..];
    }
    Ok(kept)
}

/// An unsigned LEB128 number of at most 32 bits and what follows it.
fn leb128_u32(bytes: &[u8]) -> Result<(usize, &[u8])> {
    let mut value: u64 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let value = u32::try_from(value)?;
            return Ok((value as usize, &bytes[i + 1..]));
        }
    }
    bail!("a section size is not a 32-bit LEB128 number")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A section: id, LEB128 size, body.
    fn section(id: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![id];
        let mut n = body.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                s.push(byte);
                break;
            }
            s.push(byte | 0x80);
        }
        s.extend_from_slice(body);
        s
    }

    fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = vec![name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(payload);
        section(CUSTOM, &body)
    }

    fn module(sections: &[Vec<u8>]) -> Vec<u8> {
        let mut m = MAGIC_AND_VERSION.to_vec();
        for s in sections {
            m.extend_from_slice(s);
        }
        m
    }

    #[test]
    fn custom_sections_go_and_the_others_stay_byte_for_byte() {
        let types = section(1, &[1, 0x60, 0, 0]);
        // A body over 127 bytes: a two-byte size.
        let code = section(10, &[7; 200]);
        let with = module(&[
            custom("producers", b"rustc 1.95"),
            types.clone(),
            custom("target_features", &[1, b'+', 4]),
            code.clone(),
            custom("__wasm_split_unstable", &[]),
        ]);
        assert_eq!(
            without_custom_sections(&with).unwrap(),
            module(&[types, code])
        );
    }

    #[test]
    fn a_module_without_custom_sections_is_unchanged() {
        let m = module(&[section(1, &[0]), section(3, &[0])]);
        assert_eq!(without_custom_sections(&m).unwrap(), m);
    }

    #[test]
    fn malformed_modules_are_refused() {
        assert!(without_custom_sections(b"not wasm").is_err());
        let mut truncated = module(&[section(10, &[7; 200])]);
        truncated.truncate(truncated.len() - 1);
        assert!(without_custom_sections(&truncated).is_err());
        let endless_size = module(&[vec![1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]]);
        assert!(without_custom_sections(&endless_size).is_err());
    }
}
