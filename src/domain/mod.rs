//! Pure types and rules of a till: money, tax, barcodes, products, sales,
//! tenders, refunds and roles. Nothing here does I/O or knows of the store,
//! the screen or the devices, so every rule can be tested on its own.

pub mod barcode;
pub mod customer;
pub mod daily;
pub mod discount;
pub mod limits;
pub mod money;
pub mod permissions;
pub mod pricing;
pub mod product;
pub mod quantity;
pub mod receipt;
pub mod refund;
pub mod report_text;
pub mod sale;
pub mod shift;
pub mod stock;
pub mod takings;
pub mod tax;
pub mod tender;
pub mod terminal;
pub mod user;
