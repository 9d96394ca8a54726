//! Finding a product by name or code as it is typed; Enter adds the selected
//! one to the sale, as many as the "3*" typed before the lookup opened.

use ratatui::layout::Constraint;
use ratatui::widgets::{Cell, Row};
use rust_decimal::Decimal;

use super::Screen;
use crate::domain::product::{Product, Unit};
use crate::domain::quantity;
use crate::engine::{Command, EngineError};
use crate::ui::app::App;
use crate::ui::overlay::confirm;
use crate::ui::view::right;
use crate::ui::widget::search_list::{LIMIT, SearchList, Source};

pub const TITLE: &str = "FIND PRODUCT";
pub const INPUT: &str = " Name or code ";

pub type ProductList = SearchList<Products>;

/// The catalogue, searched by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Products {
    /// The "3*" typed on the sale screen before opening the lookup.
    pub quantity: Option<Decimal>,
}

impl Source for Products {
    type Item = Product;

    const HEADER: &'static [&'static str] = &["Name", "Code", "Price"];
    const WIDTHS: &'static [Constraint] = &[
        Constraint::Fill(1),
        Constraint::Length(14),
        Constraint::Length(12),
    ];

    fn screen(list: ProductList) -> Screen {
        Screen::Lookup(list)
    }

    fn slot(screen: &mut Screen) -> Option<&mut ProductList> {
        match screen {
            Screen::Lookup(list) => Some(list),
            _ => None,
        }
    }

    fn find(app: &mut App, query: &str) -> Option<Result<Vec<Product>, EngineError>> {
        let Some(session) = app.session else {
            return Some(Err(EngineError::NoSession));
        };
        Some(app.engine.search(session, query, LIMIT))
    }

    fn submit(app: &mut App, _query: &str, selected: Option<Product>, source: &Products) {
        let Some(product) = selected else { return };
        let command = Command::AddSku {
            sku: product.sku,
            quantity: source.quantity,
        };
        match source.quantity {
            // Asked on the sale screen: yes adds them, no adds nothing.
            Some(q) if quantity::needs_confirmation(q, Some(product.unit)) => {
                app.screen = Screen::Sale;
                confirm::ask(
                    app,
                    format!(
                        "Add {q} of {}? That is more than a sale usually holds.",
                        product.name
                    ),
                    "add them",
                    command,
                    "nothing was added",
                );
            }
            _ => {
                if app.run(command) {
                    app.screen = Screen::Sale;
                }
            }
        }
    }

    fn row(app: &App, p: &Product) -> Row<'static> {
        let code = p.display_code().to_string();
        let price = app.currency().format(p.price);
        let price = if p.unit == Unit::Kg {
            format!("{price}/kg")
        } else {
            price
        };
        Row::new([Cell::from(p.name.clone()), Cell::from(code), right(price)])
    }

    fn title(&self, found: usize) -> String {
        match self.quantity {
            Some(q) => format!(" Products ({found} found) · adding {q} "),
            None => format!(" Products ({found} found) "),
        }
    }
}
