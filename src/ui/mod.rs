//! The full-screen till (ratatui). It talks to the engine only through the
//! engine's API: it shows what the engine answers and decides nothing itself.
//!
//! `app` routes each key to the popup or screen in front; `screen` holds the
//! screens and `overlay` the popups, each with its own keys and drawing;
//! `widget` the parts with keys that several of them share, `view` the
//! frame's layout and the parts without keys; `tui` the terminal.

pub mod action;
pub mod app;
mod commands;
mod events;
pub mod keymap;
pub mod keys;
pub mod overlay;
pub mod screen;
mod session;
pub mod theme;
pub mod tui;
pub mod view;
pub mod wedge;
pub mod widget;
