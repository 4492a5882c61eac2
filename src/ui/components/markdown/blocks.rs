//! Markdown's blocks, read line by line: paragraphs, headings, rules, code blocks (fenced or
//! indented), quotes and lists, each nested as deep as [`MAX_DEPTH`] allows.

use super::inline::inline;
use super::{MAX_DEPTH, Markup, Node};

/// The blocks of `lines`, already `depth` elements deep.
pub(super) fn blocks(lines: &[&str], depth: usize) -> Vec<Node> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_blank(line) {
            i += 1;
        } else if indent(line) >= 4 {
            i = code_block(lines, i, &mut out);
        } else if let Some((fence, length)) = fence(line) {
            i = fenced_block(lines, i, fence, length, &mut out);
        } else if let Some(text) = heading(line) {
            out.push(Node::Element(Markup::Heading, inline(text, depth + 1)));
            i += 1;
        } else if is_rule(line) {
            out.push(Node::Rule);
            i += 1;
        } else if quoted(line).is_some() && depth < MAX_DEPTH {
            i = quote(lines, i, depth, &mut out);
        } else if let Some(marker) = list_marker(line).filter(|_| depth + 1 < MAX_DEPTH) {
            i = list(lines, i, marker, depth, &mut out);
        } else {
            i = paragraph(lines, i, depth, &mut out);
        }
    }
    out
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// How far `line` is indented, a tab counting four.
fn indent(line: &str) -> usize {
    line.chars()
        .take_while(|c| matches!(c, ' ' | '\t'))
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// `line` without up to `columns` of its indentation.
fn dedent(line: &str, columns: usize) -> &str {
    let mut taken = 0;
    for (at, c) in line.char_indices() {
        if taken >= columns || !matches!(c, ' ' | '\t') {
            return &line[at..];
        }
        taken += if c == '\t' { 4 } else { 1 };
    }
    ""
}

/// A code fence opening or closing: its character and length.
fn fence(line: &str) -> Option<(char, usize)> {
    if indent(line) >= 4 {
        return None;
    }
    let text = line.trim_start();
    let mark = text.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let length = text.chars().take_while(|&c| c == mark).count();
    let info = &text[length..];
    (length >= 3 && !(mark == '`' && info.contains('`'))).then_some((mark, length))
}

/// An ATX heading's text (`## Title ##` is `Title`).
fn heading(line: &str) -> Option<&str> {
    if indent(line) >= 4 {
        return None;
    }
    let text = line.trim();
    let level = text.chars().take_while(|&c| c == '#').count();
    let rest = &text[level..];
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim();
    let closed = rest.trim_end_matches('#');
    Some(if closed.is_empty() || closed.ends_with([' ', '\t']) {
        closed.trim_end()
    } else {
        rest
    })
}

/// `***`, `---` or `___` (spaces between allowed).
fn is_rule(line: &str) -> bool {
    if indent(line) >= 4 {
        return false;
    }
    let marks: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    marks.len() >= 3 && matches!(marks[0], '-' | '*' | '_') && marks.iter().all(|&c| c == marks[0])
}

/// What a quoted line says, without its `>`.
fn quoted(line: &str) -> Option<&str> {
    if indent(line) >= 4 {
        return None;
    }
    let rest = line.trim_start().strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// A list item's start: its kind, what its first line says (nothing when the item starts on
/// the next line), and the column the rest of its content starts at.
#[derive(Clone, Copy)]
struct Marker<'a> {
    /// `-`, `*` or `+` for a bullet; `.` or `)` after an ordered item's number.
    kind: char,
    ordered: bool,
    first: &'a str,
    content: usize,
}

fn list_marker(line: &str) -> Option<Marker<'_>> {
    let before = indent(line);
    if before >= 4 {
        return None;
    }
    let text = line.trim_start();
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let (kind, width, ordered) = match text.chars().next()? {
        c @ ('-' | '*' | '+') => (c, 1, false),
        _ if (1..=9).contains(&digits) => {
            let c = text[digits..]
                .chars()
                .next()
                .filter(|c| matches!(c, '.' | ')'))?;
            (c, digits + 1, true)
        }
        _ => return None,
    };
    let rest = &text[width..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let spaces = indent(rest);
    let (gap, first) = match () {
        _ if is_blank(rest) => (1, ""),
        _ if spaces > 4 => (1, &rest[1..]),
        _ => (spaces, rest.trim_start_matches([' ', '\t'])),
    };
    Some(Marker {
        kind,
        ordered,
        first,
        content: before + width + gap,
    })
}

/// Whether `line` starts a block that ends a paragraph.
fn interrupts(line: &str) -> bool {
    fence(line).is_some()
        || heading(line).is_some()
        || is_rule(line)
        || quoted(line).is_some()
        || list_marker(line).is_some_and(|m| {
            !m.first.is_empty() && (!m.ordered || line.trim_start().starts_with("1"))
        })
}

fn code_block(lines: &[&str], start: usize, out: &mut Vec<Node>) -> usize {
    let mut end = start;
    let mut last = start;
    while end < lines.len() && (is_blank(lines[end]) || indent(lines[end]) >= 4) {
        if !is_blank(lines[end]) {
            last = end;
        }
        end += 1;
    }
    let code: Vec<&str> = lines[start..=last].iter().map(|l| dedent(l, 4)).collect();
    out.push(Node::CodeBlock(code.join("\n")));
    last + 1
}

/// A fenced block, up to its closing fence or, cut mid-stream, the end.
fn fenced_block(
    lines: &[&str],
    start: usize,
    mark: char,
    length: usize,
    out: &mut Vec<Node>,
) -> usize {
    let margin = indent(lines[start]);
    let mut end = start + 1;
    let mut code = Vec::new();
    while end < lines.len() {
        let line = lines[end];
        end += 1;
        if fence(line).is_some_and(|(m, n)| m == mark && n >= length && line.trim()[n..].is_empty())
        {
            break;
        }
        code.push(dedent(line, margin));
    }
    out.push(Node::CodeBlock(
        code.join("\n").trim_end_matches('\n').to_owned(),
    ));
    end
}

fn quote(lines: &[&str], start: usize, depth: usize, out: &mut Vec<Node>) -> usize {
    let mut inner = Vec::new();
    let mut end = start;
    while end < lines.len() {
        let line = lines[end];
        match quoted(line) {
            Some(text) => inner.push(text),
            // A paragraph's next line may leave out its `>`.
            None if !is_blank(line)
                && !interrupts(line)
                && inner.last().is_some_and(|l| !is_blank(l)) =>
            {
                inner.push(line)
            }
            None => break,
        }
        end += 1;
    }
    out.push(Node::Element(Markup::Quote, blocks(&inner, depth + 1)));
    end
}

fn list(
    lines: &[&str],
    start: usize,
    first: Marker<'_>,
    depth: usize,
    out: &mut Vec<Node>,
) -> usize {
    let mut items: Vec<Vec<&str>> = Vec::new();
    let mut loose = false;
    let mut at = start;
    let mut marker = first;
    loop {
        let mut item = vec![marker.first];
        at += 1;
        while at < lines.len() {
            let line = lines[at];
            let previous_blank = item.last().is_none_or(|l| is_blank(l));
            if is_blank(line) || indent(line) >= marker.content {
                item.push(if is_blank(line) {
                    ""
                } else {
                    dedent(line, marker.content)
                });
            } else if !previous_blank && !interrupts(line) && list_marker(line).is_none() {
                item.push(line.trim_start());
            } else {
                break;
            }
            at += 1;
        }
        let trailing = item.iter().rev().take_while(|l| is_blank(l)).count();
        item.truncate(item.len() - trailing);
        loose |= item
            .windows(2)
            .any(|pair| is_blank(pair[0]) && !is_blank(pair[1]) && !item_continues(pair[1]));
        items.push(item);
        match lines.get(at).and_then(|l| list_marker(l)) {
            Some(next) if next.kind == marker.kind && next.ordered == marker.ordered => {
                loose |= trailing > 0;
                marker = next;
            }
            _ => break,
        }
    }
    let items = items
        .iter()
        .map(|item| {
            let content = blocks(item, depth + 2);
            let content = if loose {
                content
            } else {
                content
                    .into_iter()
                    .flat_map(|node| match node {
                        Node::Element(Markup::Paragraph, children) => children,
                        node => vec![node],
                    })
                    .collect()
            };
            Node::Element(Markup::Item, content)
        })
        .collect();
    out.push(Node::Element(
        Markup::List {
            ordered: first.ordered,
        },
        items,
    ));
    at
}

/// A line after a blank one inside an item that does not make the list loose: it belongs to
/// something nested in the item (a nested list's next item, or its content).
fn item_continues(line: &str) -> bool {
    indent(line) > 0 || list_marker(line).is_some()
}

fn paragraph(lines: &[&str], start: usize, depth: usize, out: &mut Vec<Node>) -> usize {
    let mut end = start + 1;
    let mut kind = Markup::Paragraph;
    while end < lines.len() && !is_blank(lines[end]) {
        let line = lines[end];
        // A line of `=` or `-` under a paragraph makes it a heading.
        let underline = line.trim();
        if indent(line) < 4
            && !underline.is_empty()
            && (underline.chars().all(|c| c == '=') || underline.chars().all(|c| c == '-'))
        {
            kind = Markup::Heading;
            break;
        }
        if interrupts(line) {
            break;
        }
        end += 1;
    }
    let text: Vec<&str> = lines[start..end].iter().map(|l| l.trim_start()).collect();
    out.push(Node::Element(kind, inline(&text.join("\n"), depth + 1)));
    // The underline is the heading's, not a line of its own.
    end + usize::from(kind == Markup::Heading)
}
