//! Markdown within a block: emphasis (`*`, `_`), strong, strikethrough (`~`), code spans, links
//! and images, autolinks, backslash escapes, the common character references, and line
//! breaks. Emphasis pairs up as CommonMark's delimiter rules say.

use super::spans::{autolink, code_span, destination, reference};
use super::{MAX_DEPTH, Markup, Node, safe_address};

/// A piece of a block's text while it is read.
enum Item {
    Node(Node),
    /// A run of `*`, `_` or `~` that may open or close emphasis.
    Delimiter {
        mark: char,
        length: usize,
        opens: bool,
        closes: bool,
    },
    /// `[` or `![`, until its `]` is found; inactive inside a link's text.
    Bracket {
        image: bool,
        active: bool,
    },
}

/// The nodes of a block's `text`, already `depth` elements deep.
pub(super) fn inline(text: &str, depth: usize) -> Vec<Node> {
    let mut items = Vec::new();
    let mut plain = String::new();
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let rest = &text[at..];
        let next = rest[c.len_utf8()..].chars().next();
        let mut item = None;
        let mut used = c.len_utf8();
        match c {
            '\\' if next == Some('\n') => {
                item = Some(Item::Node(Node::Break));
                used = line_break(rest, 2);
            }
            '\\' if next.is_some_and(|n| n.is_ascii_punctuation()) => {
                plain.push(next.unwrap_or_default());
                used = 2;
            }
            '\n' => {
                plain.truncate(plain.trim_end().len());
                item = Some(Item::Node(Node::Break));
                used = line_break(rest, 1);
            }
            '`' => {
                let run = rest.chars().take_while(|&c| c == '`').count();
                used = run;
                match code_span(&rest[run..], run) {
                    Some((code, length)) => {
                        item = Some(Item::Node(Node::Code(code)));
                        used += length;
                    }
                    None => plain.push_str(&rest[..run]),
                }
            }
            '*' | '_' | '~' => {
                let length = rest.chars().take_while(|&m| m == c).count();
                used = length;
                let before = text[..at].chars().next_back();
                let after = rest[length..].chars().next();
                let (opens, closes) = flanking(c, before, after);
                if c == '~' && length > 2 {
                    plain.push_str(&rest[..length]);
                } else {
                    item = Some(Item::Delimiter {
                        mark: c,
                        length,
                        opens,
                        closes,
                    });
                }
            }
            '!' if next == Some('[') => {
                item = Some(Item::Bracket {
                    image: true,
                    active: true,
                });
                used = 2;
            }
            '[' => {
                item = Some(Item::Bracket {
                    image: false,
                    active: true,
                })
            }
            ']' => {
                flush(&mut plain, &mut items);
                let open = items
                    .iter()
                    .rposition(|i| matches!(i, Item::Bracket { .. }));
                match (open, destination(&rest[1..])) {
                    (Some(open), Some((href, length))) if is_active(&items[open]) => {
                        close_link(&mut items, open, href, depth);
                        used += length;
                    }
                    (Some(open), _) => {
                        let text = if is_image(&items[open]) { "![" } else { "[" };
                        items[open] = Item::Node(Node::Text(text.into()));
                        plain.push(']');
                    }
                    (None, _) => plain.push(']'),
                }
            }
            '<' => match autolink(&rest[1..]) {
                Some((href, length)) => {
                    let shown = rest[1..length].to_owned();
                    let href = safe_address(&href).then_some(href);
                    item = Some(Item::Node(Node::Link(href, vec![Node::Text(shown)])));
                    used = length + 1;
                }
                None => plain.push('<'),
            },
            '&' => match reference(rest) {
                Some((decoded, length)) => {
                    plain.push(decoded);
                    used = length;
                }
                None => plain.push('&'),
            },
            c => plain.push(c),
        }
        if let Some(item) = item {
            flush(&mut plain, &mut items);
            items.push(item);
        }
        at += used;
    }
    plain.truncate(plain.trim_end().len());
    flush(&mut plain, &mut items);
    emphasis(&mut items, 0, depth);
    nodes(items)
}

/// How much a line break at the start of `rest`, `length` long, uses with the next line's
/// indentation.
fn line_break(rest: &str, length: usize) -> usize {
    rest.len() - rest[length..].trim_start_matches([' ', '\t']).len()
}

fn is_active(item: &Item) -> bool {
    matches!(item, Item::Bracket { active: true, .. })
}

fn is_image(item: &Item) -> bool {
    matches!(item, Item::Bracket { image: true, .. })
}

fn flush(plain: &mut String, items: &mut Vec<Item>) {
    if !plain.is_empty() {
        items.push(Item::Node(Node::Text(std::mem::take(plain))));
    }
}

/// Whether a run of `mark` between `before` and `after` may open and may close emphasis.
fn flanking(mark: char, before: Option<char>, after: Option<char>) -> (bool, bool) {
    let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let punctuation =
        |c: Option<char>| c.is_some_and(|c| !c.is_alphanumeric() && !c.is_whitespace());
    let left = !space(after) && (!punctuation(after) || space(before) || punctuation(before));
    let right = !space(before) && (!punctuation(before) || space(after) || punctuation(after));
    if mark == '_' {
        (
            left && (!right || punctuation(before)),
            right && (!left || punctuation(after)),
        )
    } else {
        (left, right)
    }
}

/// Turns the items after the bracket at `open` into a link to `href`.
fn close_link(items: &mut Vec<Item>, open: usize, href: String, depth: usize) {
    let image = is_image(&items[open]);
    emphasis(items, open + 1, depth + 1);
    let mut children = nodes(items.split_off(open + 1));
    items.pop();
    if !image {
        // A link holds no link: earlier brackets are text now, and an image inside it is its text.
        for item in items.iter_mut() {
            if let Item::Bracket {
                image: false,
                active,
            } = item
            {
                *active = false;
            }
        }
        unlink(&mut children);
    }
    let link = Node::Link(safe_address(&href).then_some(href), children);
    items.extend(fitted(link, depth).into_iter().map(Item::Node));
}

/// Takes the address from every link in `nodes`: they are inside another link.
fn unlink(nodes: &mut [Node]) {
    for node in nodes {
        match node {
            Node::Link(href, children) => {
                *href = None;
                unlink(children);
            }
            Node::Element(_, children) => unlink(children),
            _ => {}
        }
    }
}

/// Pairs up the delimiters from `bottom` on into emphasis, strong and strikethrough.
fn emphasis(items: &mut Vec<Item>, bottom: usize, depth: usize) {
    let mut closer = bottom;
    while closer < items.len() {
        let Item::Delimiter {
            mark,
            length,
            closes: true,
            opens: closer_opens,
        } = items[closer]
        else {
            closer += 1;
            continue;
        };
        let opener = (bottom..closer).rev().find(|&at| match items[at] {
            Item::Delimiter {
                mark: m,
                length: l,
                opens: true,
                closes,
            } if m == mark => {
                if mark == '~' {
                    l == length
                } else {
                    !((closes || closer_opens)
                        && (l + length) % 3 == 0
                        && !(l % 3 == 0 && length % 3 == 0))
                }
            }
            _ => false,
        });
        let Some(opener) = opener else {
            if let Item::Delimiter { closes, .. } = &mut items[closer] {
                *closes = false;
            }
            closer += 1;
            continue;
        };
        let Item::Delimiter {
            length: opener_length,
            ..
        } = items[opener]
        else {
            unreachable!("the opener is a delimiter");
        };
        let used = if mark == '~' || (length >= 2 && opener_length >= 2) {
            length.min(2)
        } else {
            1
        };
        let kind = match (mark, used) {
            ('~', _) => Markup::Strike,
            (_, 2) => Markup::Strong,
            _ => Markup::Emphasis,
        };
        let inner = nodes(items.drain(opener + 1..closer).collect());
        let made: Vec<Item> = fitted(Node::Element(kind, inner), depth)
            .into_iter()
            .map(Item::Node)
            .collect();
        closer = opener + 1 + made.len();
        items.splice(opener + 1..opener + 1, made);
        for at in [closer, opener] {
            if let Item::Delimiter { length, .. } = &mut items[at] {
                *length -= used;
                if *length == 0 {
                    items.remove(at);
                    if at == opener {
                        closer -= 1;
                    }
                }
            }
        }
    }
}

/// `node` if it fits within [`MAX_DEPTH`] at `depth`, else its content in its place.
fn fitted(node: Node, depth: usize) -> Vec<Node> {
    if depth + height(&node) <= MAX_DEPTH + 1 {
        return vec![node];
    }
    match node {
        Node::Element(_, children) | Node::Link(_, children) => children,
        node => vec![node],
    }
}

/// How many elements deep `node` goes.
fn height(node: &Node) -> usize {
    match node {
        Node::Element(_, children) | Node::Link(_, children) => {
            1 + children.iter().map(height).max().unwrap_or(0)
        }
        _ => 0,
    }
}

/// The items as nodes: what is left of delimiters and brackets is text, and text next to text
/// is one text.
fn nodes(items: Vec<Item>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    for item in items {
        let node = match item {
            Item::Node(node) => node,
            Item::Delimiter { mark, length, .. } => Node::Text(mark.to_string().repeat(length)),
            Item::Bracket { image: true, .. } => Node::Text("![".into()),
            Item::Bracket { image: false, .. } => Node::Text("[".into()),
        };
        match (out.last_mut(), node) {
            (Some(Node::Text(before)), Node::Text(more)) => before.push_str(&more),
            (_, node) => out.push(node),
        }
    }
    out
}
