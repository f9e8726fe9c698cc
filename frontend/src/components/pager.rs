//! The footer of a paginated list: how many items there are, and Previous / Next.

use leptos::prelude::*;

/// How many pages `total` items fill, at least one.
pub fn page_count(total: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    u32::try_from(total.div_ceil(per_page).max(1)).unwrap_or(u32::MAX)
}

/// "1 commission", "12 commissions".
pub fn count_words(total: u64, (one, many): (&str, &str)) -> String {
    if total == 1 {
        format!("1 {one}")
    } else {
        format!("{total} {many}")
    }
}

/// The count and the pager under a table.
#[component]
pub fn Pager(
    /// Items on every page together.
    total: u64,
    /// The page shown, 1-based.
    page: u32,
    /// Items per page.
    per_page: u32,
    /// What the items are called: `("commission", "commissions")`.
    noun: (&'static str, &'static str),
    /// Goes to another page.
    on_turn: Callback<u32>,
) -> impl IntoView {
    let pages = page_count(total, per_page);
    // Computed here: a comparison written inside `view!` is read as markup.
    let on_first = page <= 1;
    let on_last = page >= pages;
    view! {
        <div class="list-footer">
            <p class="muted">{count_words(total, noun)}</p>
            <nav class="pager" aria-label="Pages">
                <button
                    type="button"
                    class="button button-quiet"
                    disabled=on_first
                    on:click=move |_| on_turn.run(page.saturating_sub(1).max(1))
                >
                    "Previous"
                </button>
                <span class="pager-position">{format!("Page {page} of {pages}")}</span>
                <button
                    type="button"
                    class="button button-quiet"
                    disabled=on_last
                    on:click=move |_| on_turn.run(page.saturating_add(1))
                >
                    "Next"
                </button>
            </nav>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_has_one_page_and_a_partial_page_counts() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_count(5, 0), 5);
        assert_eq!(count_words(1, ("key", "keys")), "1 key");
        assert_eq!(count_words(0, ("key", "keys")), "0 keys");
    }
}
