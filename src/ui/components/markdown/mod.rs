//! Message text as Markdown (models answer in it): emphasis, code and code blocks, lists,
//! quotes, links. It is parsed into a small tree ([`parse`]) and rendered as views, never as an
//! HTML string: raw HTML in a message shows as the text it is; a link leads only to `http`,
//! `https` or `mailto`; images show as links. Bare web addresses in text become links too.

mod blocks;
mod inline;
mod spans;
#[cfg(test)]
mod tests;

use leptos::prelude::*;

use self::blocks::blocks;
use super::text::{Segment, segments};

/// What a message says, as a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Code(String),
    /// A line break within a paragraph (a chat's Enter).
    Break,
    Rule,
    CodeBlock(String),
    /// An element and its children.
    Element(Markup, Vec<Node>),
    /// A link to a safe address, or its text alone when the address is not safe.
    Link(Option<String>, Vec<Node>),
}

/// The elements a message may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markup {
    Paragraph,
    /// A heading, shown as a strong paragraph: a message is not a document.
    Heading,
    Quote,
    List {
        ordered: bool,
    },
    Item,
    Emphasis,
    Strong,
    Strike,
}

/// Whether a link may lead to `href`.
fn safe_address(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Parses `text` as Markdown: CommonMark's blocks and inlines, with strikethrough, minus
/// reference links and HTML (which stays text); of the named character references, only the
/// common ones (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`) are read.
pub fn parse(text: &str) -> Vec<Node> {
    let lines: Vec<&str> = text.lines().collect();
    blocks(&lines, 0)
}

/// How deep elements nest: deeper ones (a thousand `>`) are shown as their text or content, so
/// that rendering never recurses further than this.
const MAX_DEPTH: usize = 16;

/// A message's text, rendered.
#[component]
pub fn Markdown(#[prop(into)] text: Signal<String>) -> impl IntoView {
    move || text.with(|text| render(parse(text), false))
}

/// Nodes as views; inside a link, bare addresses are not made links again.
fn render(nodes: Vec<Node>, in_link: bool) -> AnyView {
    nodes
        .into_iter()
        .map(|node| render_node(node, in_link))
        .collect_view()
        .into_any()
}

fn render_node(node: Node, in_link: bool) -> AnyView {
    match node {
        Node::Text(text) if in_link => text.into_any(),
        Node::Text(text) => linked(&text),
        Node::Code(code) => view! { <code>{code}</code> }.into_any(),
        Node::Break => view! { <br /> }.into_any(),
        Node::Rule => view! { <hr /> }.into_any(),
        Node::CodeBlock(code) => view! { <pre><code>{code}</code></pre> }.into_any(),
        Node::Link(Some(href), children) => view! {
            <a href=href target="_blank" rel="noopener noreferrer nofollow ugc">{render(children, true)}</a>
        }
        .into_any(),
        Node::Link(None, children) => render(children, in_link),
        Node::Element(kind, children) => {
            let inner = render(children, in_link);
            match kind {
                Markup::Paragraph => view! { <p>{inner}</p> }.into_any(),
                Markup::Heading => view! { <p><strong>{inner}</strong></p> }.into_any(),
                Markup::Quote => view! { <blockquote>{inner}</blockquote> }.into_any(),
                Markup::List { ordered: true } => view! { <ol>{inner}</ol> }.into_any(),
                Markup::List { ordered: false } => view! { <ul>{inner}</ul> }.into_any(),
                Markup::Item => view! { <li>{inner}</li> }.into_any(),
                Markup::Emphasis => view! { <em>{inner}</em> }.into_any(),
                Markup::Strong => view! { <strong>{inner}</strong> }.into_any(),
                Markup::Strike => view! { <del>{inner}</del> }.into_any(),
            }
        }
    }
}

/// Text with its bare web addresses as links.
fn linked(text: &str) -> AnyView {
    segments(text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(t) => t.to_owned().into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_owned() target="_blank" rel="noopener noreferrer nofollow ugc">{url.to_owned()}</a>
            }
            .into_any(),
        })
        .collect_view()
        .into_any()
}
