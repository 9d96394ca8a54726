//! Byte offsets, as parsers report them, turned into the line numbers people
//! read.

/// Where each newline of a text is.
pub(super) struct Newlines(Vec<usize>);

impl Newlines {
    pub(super) fn of(bytes: &[u8]) -> Newlines {
        Newlines(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The line (counted from 1) that holds byte `offset`.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&newline| newline < offset) + 1
    }
}
