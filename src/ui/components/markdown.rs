//! Message text as Markdown (models answer in it): emphasis, code and code blocks, lists,
//! quotes, links. It is parsed into a small tree ([`parse`]) and rendered as views, never as an
//! HTML string: raw HTML in a message shows as the text it is; a link leads only to `http`,
//! `https` or `mailto`; images show as links. Bare web addresses in text become links too.

use leptos::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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

/// Parses `text` as Markdown (CommonMark, with strikethrough).
pub fn parse(text: &str) -> Vec<Node> {
    let mut stack: Vec<(Option<Frame>, Vec<Node>)> = vec![(None, Vec::new())];
    let mut code: Option<String> = None;
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        if let Some(block) = code.as_mut() {
            match event {
                Event::Text(t) => block.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let block = code.take().unwrap_or_default();
                    push(
                        &mut stack,
                        Node::CodeBlock(block.trim_end_matches('\n').to_owned()),
                    );
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => code = Some(String::new()),
            Event::Start(tag) => {
                let in_link = stack
                    .iter()
                    .any(|(frame, _)| matches!(frame, Some(Frame::Link(_))));
                let frame = if stack.len() > MAX_DEPTH {
                    Frame::Transparent
                } else {
                    frame_of(tag, in_link)
                };
                stack.push((Some(frame), Vec::new()));
            }
            Event::End(_) => {
                if stack.len() > 1
                    && let Some((Some(frame), children)) = stack.pop()
                {
                    close(&mut stack, frame, children);
                }
            }
            Event::Text(t) => push(&mut stack, Node::Text(t.into_string())),
            Event::Code(t) => push(&mut stack, Node::Code(t.into_string())),
            // Raw HTML is text: shown as written, never run.
            Event::Html(t) | Event::InlineHtml(t) => push(&mut stack, Node::Text(t.into_string())),
            Event::SoftBreak | Event::HardBreak => push(&mut stack, Node::Break),
            Event::Rule => push(&mut stack, Node::Rule),
            _ => {}
        }
    }
    // Whatever is left open (a reply cut mid-stream) closes here.
    if let Some(block) = code.take() {
        push(
            &mut stack,
            Node::CodeBlock(block.trim_end_matches('\n').to_owned()),
        );
    }
    while stack.len() > 1 {
        if let Some((Some(frame), children)) = stack.pop() {
            close(&mut stack, frame, children);
        }
    }
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

/// How deep elements nest: deeper ones (a thousand `>`) are flattened into their parent, so
/// that rendering never recurses further than this.
const MAX_DEPTH: usize = 16;

/// An element being read: what it will be once closed.
#[derive(Debug)]
enum Frame {
    Element(Markup),
    Link(Option<String>),
    /// Something not shown as itself (a footnote, a table): its content stays.
    Plain,
    /// Past the deepest nesting: its content goes to its parent.
    Transparent,
}

/// Closes `frame`, putting what it made (or, for a transparent one, its content) in its parent.
fn close(stack: &mut [(Option<Frame>, Vec<Node>)], frame: Frame, children: Vec<Node>) {
    let node = match frame {
        Frame::Element(kind) => Node::Element(kind, children),
        Frame::Link(href) => Node::Link(href, children),
        Frame::Plain => Node::Element(Markup::Paragraph, children),
        Frame::Transparent => {
            for child in children {
                push(stack, child);
            }
            return;
        }
    };
    push(stack, node);
}

/// What `tag` becomes; an image is a link to itself (its alt text), and inside another link
/// only its text (a link may not hold a link).
fn frame_of(tag: Tag<'_>, in_link: bool) -> Frame {
    match tag {
        Tag::Paragraph => Frame::Element(Markup::Paragraph),
        Tag::Heading { .. } => Frame::Element(Markup::Heading),
        Tag::BlockQuote(_) => Frame::Element(Markup::Quote),
        Tag::List(start) => Frame::Element(Markup::List {
            ordered: start.is_some(),
        }),
        Tag::Item => Frame::Element(Markup::Item),
        Tag::Emphasis => Frame::Element(Markup::Emphasis),
        Tag::Strong => Frame::Element(Markup::Strong),
        Tag::Strikethrough => Frame::Element(Markup::Strike),
        Tag::Image { .. } if in_link => Frame::Link(None),
        Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
            Frame::Link(safe_address(&dest_url).then(|| dest_url.into_string()))
        }
        _ => Frame::Plain,
    }
}

/// Adds `node` to the element being read; text next to text is one text.
fn push(stack: &mut [(Option<Frame>, Vec<Node>)], node: Node) {
    let Some((_, children)) = stack.last_mut() else {
        return;
    };
    match (children.last_mut(), node) {
        (Some(Node::Text(before)), Node::Text(more)) => before.push_str(&more),
        (_, node) => children.push(node),
    }
}

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

#[cfg(test)]
mod tests {
    use super::Markup::*;
    use super::Node::*;
    use super::*;

    fn text(t: &str) -> Node {
        Text(t.into())
    }

    #[test]
    fn emphasis_code_and_lines_are_kept() {
        assert_eq!(
            parse("*so* **very** `x`\nnext"),
            vec![Element(
                Paragraph,
                vec![
                    Element(Emphasis, vec![text("so")]),
                    text(" "),
                    Element(Strong, vec![text("very")]),
                    text(" "),
                    Code("x".into()),
                    Break,
                    text("next"),
                ]
            )]
        );
    }

    #[test]
    fn code_blocks_lists_and_quotes() {
        assert_eq!(
            parse("```rust\nfn main() {}\n```"),
            vec![CodeBlock("fn main() {}".into())]
        );
        assert_eq!(
            parse("1. one\n2. two"),
            vec![Element(
                List { ordered: true },
                vec![
                    Element(Item, vec![text("one")]),
                    Element(Item, vec![text("two")])
                ]
            )]
        );
        assert_eq!(
            parse("> said"),
            vec![Element(Quote, vec![Element(Paragraph, vec![text("said")])])]
        );
    }

    #[test]
    fn raw_html_is_text_and_unsafe_links_lead_nowhere() {
        assert_eq!(
            parse("<script>alert(1)</script>"),
            vec![Element(Paragraph, vec![text("<script>alert(1)</script>")])]
        );
        assert_eq!(
            parse("hi <b>there</b>"),
            vec![Element(Paragraph, vec![text("hi <b>there</b>")])]
        );
        assert_eq!(
            parse("[click](javascript:alert(1))"),
            vec![Element(Paragraph, vec![Link(None, vec![text("click")])])]
        );
        assert_eq!(
            parse("[docs](https://leptos.dev)"),
            vec![Element(
                Paragraph,
                vec![Link(Some("https://leptos.dev".into()), vec![text("docs")])]
            )]
        );
    }

    #[test]
    fn an_image_in_a_link_is_its_text_and_deep_nesting_is_flattened() {
        assert_eq!(
            parse("[![badge](https://x.org/i.png)](https://y.org)"),
            vec![Element(
                Paragraph,
                vec![Link(
                    Some("https://y.org".into()),
                    vec![Link(None, vec![text("badge")])]
                )]
            )]
        );
        fn depth(nodes: &[Node]) -> usize {
            nodes
                .iter()
                .map(|node| match node {
                    Element(_, children) | Link(_, children) => 1 + depth(children),
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        for deep in [">".repeat(4000) + " x", "- ".repeat(2000) + "x"] {
            let parsed = parse(&deep);
            assert!(depth(&parsed) <= MAX_DEPTH + 1, "{}", depth(&parsed));
            // And it renders, on a thread with a worker's stack.
            std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || render(parsed, false).to_html())
                .unwrap()
                .join()
                .expect("rendered without running out of stack");
        }
    }

    #[test]
    fn text_cut_mid_stream_still_parses() {
        assert_eq!(
            parse("**half"),
            vec![Element(Paragraph, vec![text("**half")])]
        );
        assert_eq!(
            parse("```\nunfinished"),
            vec![CodeBlock("unfinished".into())]
        );
    }
}
