//! README says what the till does; where it says it in a table the till also
//! holds, the two are compared here.

use std::path::Path;

use till::ui::action::Action;

/// README's "Default keys" rows naming `action` in their action column.
fn readme_rows(readme: &str, action: Action) -> Vec<&str> {
    readme
        .lines()
        .filter(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            cells.len() > 3 && cells[2].split(" / ").any(|name| name == action.name())
        })
        .collect()
}

#[test]
fn the_key_table_marks_what_needs_a_manager_as_the_engine_does() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let manager: Vec<Action> = Action::ALL
        .iter()
        .copied()
        .filter(|a| a.description().ends_with("(manager)"))
        .collect();
    assert!(
        manager.contains(&Action::NoSale),
        "the help marks no sale as the manager's: {manager:?}"
    );
    for action in manager {
        let rows = readme_rows(&readme, action);
        assert!(
            !rows.is_empty(),
            "README's key table has no row for {action}"
        );
        assert!(
            rows.iter().all(|row| row.contains("(manager)")),
            "README's row for {action} does not say it needs a manager: {rows:?}"
        );
    }
}

/// The lines of README's `index`th ```text block after its "The till screen" heading.
fn till_screen_block(readme: &str, index: usize) -> Vec<&str> {
    let section = &readme[readme.find("## The till screen").expect("the section")..];
    section
        .split("```text\n")
        .nth(index + 1)
        .and_then(|block| block.split("\n```").next())
        .unwrap_or_else(|| panic!("README's till screen section has no block {index}"))
        .lines()
        .collect()
}

/// The screen as text, one string per row, trailing blanks dropped.
fn screen_rows(app: &till::ui::app::App) -> Vec<String> {
    let backend = crate::screens::render(app, 80, 24);
    let buffer = backend.buffer();
    (0..buffer.area.height)
        .map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            row.trim_end().to_string()
        })
        .collect()
}

/// Types one README step ("KEYS  what it does  \"shown\"") and checks that
/// every quoted text is on the screen after it.
fn replay(app: &mut till::ui::app::App, step: &str) {
    let (keys, rest) = step.split_once(' ').unwrap_or((step, ""));
    crate::screens::keys(app, keys);
    let screen = screen_rows(app).join("\n");
    for shown in rest.split('"').skip(1).step_by(2) {
        assert!(
            screen.contains(shown),
            "README says {shown:?} is on the screen after {keys:?}; the till shows:\n{screen}"
        );
    }
}

#[test]
fn readmes_first_sale_is_what_the_till_shows() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let (_dir, path) = crate::common::demo_store();
    let mut engine = crate::common::engine(&path);
    let mut app = crate::screens::app(&mut engine);
    for step in till_screen_block(&readme, 0) {
        replay(&mut app, step);
    }
    let pictured: Vec<String> = till_screen_block(&readme, 1)
        .iter()
        .map(|row| row.trim_end().to_string())
        .collect();
    assert_eq!(
        pictured.join("\n"),
        screen_rows(&app).join("\n"),
        "README's pictured screen is not what the till shows after its steps"
    );
    for step in till_screen_block(&readme, 2) {
        replay(&mut app, step);
    }
    assert!(app.quit, "README's last step leaves the till");
}
