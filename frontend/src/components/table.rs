//! The table of a list page: the panel, the box that scrolls sideways on narrow screens,
//! the caption for screen readers and the column headers. The page gives the rows and,
//! when the list has pages, the pager under the table.

use leptos::prelude::*;

/// A column header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A column of text.
    Text(&'static str),
    /// A column of amounts or counts, aligned right.
    Num(&'static str),
    /// A column without a visible header, like the row's buttons; the name is for
    /// screen readers.
    Hidden(&'static str),
}

impl Column {
    /// The `<th>` of the column.
    fn header(self) -> AnyView {
        match self {
            Column::Text(name) => view! { <th scope="col">{name}</th> }.into_any(),
            Column::Num(name) => view! { <th scope="col" class="num">{name}</th> }.into_any(),
            Column::Hidden(name) => view! {
                <th scope="col">
                    <span class="visually-hidden">{name}</span>
                </th>
            }
            .into_any(),
        }
    }
}

/// A list as a table in a panel; the rows are the children.
#[component]
pub fn DataTable(
    /// What the table lists, for screen readers: "Programs", "API keys, newest first".
    caption: &'static str,
    /// The column headers, in order.
    columns: &'static [Column],
    /// The table's classes.
    #[prop(default = "data-table")]
    class: &'static str,
    /// Under the table, inside the panel: the pager of a list with pages.
    #[prop(optional)]
    footer: Option<AnyView>,
    /// The rows.
    children: Children,
) -> impl IntoView {
    let headers = columns.iter().map(|c| c.header()).collect_view();
    view! {
        <div class="panel table-panel">
            <div class="table-scroll">
                <table class=class>
                    <caption class="visually-hidden">{caption}</caption>
                    <thead>
                        <tr>{headers}</tr>
                    </thead>
                    <tbody>{children()}</tbody>
                </table>
            </div>
            {footer}
        </div>
    }
}
