//! What the status bar says about each device, shared between the device
//! threads (which write it) and the screen (which reads it).

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStatus {
    pub scanner: String,
    pub printer: String,
}

impl Default for DeviceStatus {
    fn default() -> Self {
        DeviceStatus {
            scanner: "scanner kbd".into(),
            printer: "no printer".into(),
        }
    }
}

/// Cheap to clone; each device thread keeps one.
#[derive(Debug, Clone, Default)]
pub struct StatusBoard(Arc<Mutex<DeviceStatus>>);

impl StatusBoard {
    pub fn get(&self) -> DeviceStatus {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn scanner(&self, text: impl Into<String>) {
        if let Ok(mut s) = self.0.lock() {
            s.scanner = text.into();
        }
    }

    pub fn printer(&self, text: impl Into<String>) {
        if let Ok(mut s) = self.0.lock() {
            s.printer = text.into();
        }
    }
}
