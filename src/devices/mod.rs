//! The till's hardware: the serial barcode scanner, the ESC/POS receipt
//! printer and the cash drawer behind it, each with its own section of
//! till.toml. Devices talk to the engine only through channels and the
//! store's print queue; they never touch the screen.

pub mod config;
pub mod doctor;
pub mod port;
pub mod printer;
pub mod scanner;
pub mod status;
pub mod url;
