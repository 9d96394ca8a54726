//! The full-screen till (ratatui). It talks to the engine only through the
//! engine's API: it shows what the engine answers and decides nothing itself.

pub mod action;
pub mod app;
pub mod customers;
pub mod keymap;
pub mod keys;
pub mod manager;
pub mod theme;
pub mod tui;
pub mod view;
pub mod wedge;
