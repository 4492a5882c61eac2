//! What Markdown becomes, read as the page reads it.

use super::Markup::*;
use super::Node::*;
use super::*;

fn text(t: &str) -> Node {
    Text(t.into())
}

/// How many elements deep `nodes` go, counted here apart from the parser's own count.
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

fn paragraph(nodes: Vec<Node>) -> Vec<Node> {
    vec![Element(Paragraph, nodes)]
}

#[test]
fn emphasis_pairs_up_as_commonmark_says() {
    assert_eq!(
        parse("a*b*c"),
        paragraph(vec![
            text("a"),
            Element(Emphasis, vec![text("b")]),
            text("c")
        ])
    );
    assert_eq!(
        parse("snake_case_name"),
        paragraph(vec![text("snake_case_name")])
    );
    assert_eq!(
        parse("__strong__ and _em_"),
        paragraph(vec![
            Element(Strong, vec![text("strong")]),
            text(" and "),
            Element(Emphasis, vec![text("em")]),
        ])
    );
    assert_eq!(
        parse("***both***"),
        paragraph(vec![Element(
            Emphasis,
            vec![Element(Strong, vec![text("both")])]
        )])
    );
    assert_eq!(
        parse("~~gone~~ * alone"),
        paragraph(vec![Element(Strike, vec![text("gone")]), text(" * alone")])
    );
    assert_eq!(
        parse(r"\*not\* emphasis"),
        paragraph(vec![text("*not* emphasis")])
    );
}

#[test]
fn code_spans_links_and_references() {
    assert_eq!(
        parse("``a ` b`` and `c`"),
        paragraph(vec![Code("a ` b".into()), text(" and "), Code("c".into())])
    );
    assert_eq!(
        parse(r#"[a](https://x.org/(b) "title") [c]"#),
        paragraph(vec![
            Link(Some("https://x.org/(b)".into()), vec![text("a")]),
            text(" [c]"),
        ])
    );
    assert_eq!(
        parse("<https://x.org> <javascript:alert(1)> <me@x.org>"),
        paragraph(vec![
            Link(Some("https://x.org".into()), vec![text("https://x.org")]),
            text(" "),
            Link(None, vec![text("javascript:alert(1)")]),
            text(" "),
            Link(Some("mailto:me@x.org".into()), vec![text("me@x.org")]),
        ])
    );
    assert_eq!(
        parse("&amp; &lt;b&gt; &#233; &#x41; &copy;"),
        paragraph(vec![text("& <b> é A &copy;")])
    );
}

#[test]
fn headings_rules_breaks_and_indented_code() {
    assert_eq!(
        parse("# Title #"),
        vec![Element(Heading, vec![text("Title")])]
    );
    assert_eq!(
        parse("Title\n==="),
        vec![Element(Heading, vec![text("Title")])]
    );
    assert_eq!(parse("#hashtag"), paragraph(vec![text("#hashtag")]));
    assert_eq!(parse("a\n\n---\n\nb"), {
        let mut nodes = paragraph(vec![text("a")]);
        nodes.push(Rule);
        nodes.extend(paragraph(vec![text("b")]));
        nodes
    });
    assert_eq!(
        parse("one  \ntwo\\\nthree"),
        paragraph(vec![text("one"), Break, text("two"), Break, text("three")])
    );
    assert_eq!(
        parse("    let x = 1;\n      y"),
        vec![CodeBlock("let x = 1;\n  y".into())]
    );
    assert_eq!(
        parse("> a\ncontinued"),
        vec![Element(
            Quote,
            paragraph(vec![text("a"), Break, text("continued")])
        )]
    );
}

#[test]
fn tight_and_loose_lists_and_nesting() {
    let item = |nodes| Element(Item, nodes);
    assert_eq!(
        parse("- a\n  - b\n- c"),
        vec![Element(
            List { ordered: false },
            vec![
                item(vec![
                    text("a"),
                    Element(List { ordered: false }, vec![item(vec![text("b")])])
                ]),
                item(vec![text("c")]),
            ]
        )]
    );
    assert_eq!(
        parse("* a\n\n* b"),
        vec![Element(
            List { ordered: false },
            vec![
                item(paragraph(vec![text("a")])),
                item(paragraph(vec![text("b")]))
            ]
        )]
    );
    // A different bullet starts another list.
    assert_eq!(parse("- a\n+ b").len(), 2);
}

#[test]
fn any_text_parses_without_panicking_and_within_the_depth() {
    // Markdown's own characters, spaces and line ends, and characters of several bytes, in
    // 20,000 pseudo-random messages (a fixed seed: a failure can be replayed).
    const PIECES: [&str; 24] = [
        "*", "_", "~", "`", "[", "]", "(", ")", "!", "<", ">", "&", ";", "#", "\\", "-", "1.", " ",
        "\n", "    ", "é", "日本", "🙂", "a",
    ];
    let mut seed: u64 = 0x5eed;
    for _ in 0..20_000 {
        let mut text = String::new();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        for _ in 0..(seed >> 58) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
        }
        let parsed = parse(&text);
        assert!(depth(&parsed) <= MAX_DEPTH + 1, "{text:?}");
    }
}
