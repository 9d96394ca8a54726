//! The `till` command line: each subcommand in its own file, called by `main`.

pub mod args;
pub mod backoffice;
pub mod backup;
pub mod customers;
pub mod daemon;
pub mod demo_run;
pub mod doctor;
pub mod export;
pub mod export_csv;
pub mod hq;
pub mod hq_program;
pub mod import;
pub mod init;
pub mod journal;
pub mod logging;
pub mod prompt;
pub mod purge;
pub mod receipt_text;
pub mod report;
pub mod retention;
pub mod screen;
pub mod script;
pub mod sync;
pub mod watchdog;
