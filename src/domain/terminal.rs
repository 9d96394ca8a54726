//! A terminal's id. It starts every receipt number (`T01-000007`) and names
//! the terminal at head office, in its URLs and files, so it is short and
//! plain; `till init` and head office's enrolment hold it to the same rule.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("terminal id '{0}': use 1 to 32 letters, digits, - or _")]
pub struct BadTerminalId(pub String);

pub fn check_id(id: &str) -> Result<(), BadTerminalId> {
    let plain = id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain && (1..=32).contains(&id.len()) {
        Ok(())
    } else {
        Err(BadTerminalId(id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_short_ids_pass_and_others_are_named() {
        assert!(check_id("T01").is_ok());
        assert!(check_id("shop-2_lane3").is_ok());
        for bad in ["", "T 01", "T01/..", "é", &"x".repeat(33)] {
            assert_eq!(check_id(bad), Err(BadTerminalId(bad.to_string())));
        }
    }
}
