//! An escpos driver that collects the bytes instead of sending them: a
//! receipt is laid out once into bytes, queued, and sent whole later.

use std::sync::{Arc, Mutex};

use escpos::driver::Driver;
use escpos::errors::{PrinterError, Result};

#[derive(Clone, Default)]
pub struct MemoryDriver {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl MemoryDriver {
    pub fn take(&self) -> Vec<u8> {
        self.bytes
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> Result<()> {
        self.bytes
            .lock()
            .map_err(|e| PrinterError::Io(e.to_string()))?
            .extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }
}
