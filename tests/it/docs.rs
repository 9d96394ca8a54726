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
