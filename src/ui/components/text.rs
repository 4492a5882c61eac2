//! Web addresses in a message's text, found so that they can be links (`markdown` renders
//! them).

/// A piece of a message: plain text, or a web address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Punctuation that usually ends a sentence rather than an address.
const TRAILING: [char; 8] = ['.', ',', ';', ':', '!', '?', '\'', '"'];

/// The address without what follows it in the sentence: trailing punctuation, and closing
/// brackets that close nothing opened inside it (`(see https://x.org/a_(b))` keeps one).
fn trim_address(candidate: &str) -> &str {
    let mut link = candidate;
    loop {
        let Some(last) = link.chars().last() else {
            return link;
        };
        let unbalanced = |open: char, close: char| {
            last == close && link.matches(close).count() > link.matches(open).count()
        };
        if TRAILING.contains(&last) || unbalanced('(', ')') || unbalanced('[', ']') {
            link = &link[..link.len() - last.len_utf8()];
        } else {
            return link;
        }
    }
}

/// Splits `text` into plain text and `http(s)://` addresses: "see https://example.com." links
/// the address without the dot.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    // Where the current run of plain text began, and where to search from.
    let (mut plain, mut from) = (0, 0);
    while let Some(found) = find_link(&text[from..]) {
        let start = from + found;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .map_or(text.len(), |n| start + n);
        let link = trim_address(&text[start..end]);
        let scheme = if link.starts_with("https://") { 8 } else { 7 };
        if link.len() > scheme {
            if start > plain {
                out.push(Segment::Text(&text[plain..start]));
            }
            out.push(Segment::Link(link));
            plain = start + link.len();
        }
        from = end.max(start + 1);
    }
    if plain < text.len() {
        out.push(Segment::Text(&text[plain..]));
    }
    out
}

fn find_link(text: &str) -> Option<usize> {
    match (text.find("http://"), text.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::Segment::{Link, Text};
    use super::*;

    #[test]
    fn plain_text_is_one_piece() {
        assert_eq!(segments("hello\nthere"), vec![Text("hello\nthere")]);
        assert_eq!(segments(""), vec![]);
    }

    #[test]
    fn addresses_become_links_without_trailing_punctuation() {
        assert_eq!(
            segments("see https://example.com/a?b=1. and http://x.org"),
            vec![
                Text("see "),
                Link("https://example.com/a?b=1"),
                Text(". and "),
                Link("http://x.org"),
            ]
        );
    }

    #[test]
    fn brackets_stay_with_an_address_when_they_open_inside_it() {
        let wiki = "https://en.wikipedia.org/wiki/Rust_(programming_language)";
        assert_eq!(segments(wiki), vec![Link(wiki)]);
        assert_eq!(
            segments(&format!("(see {wiki}).")),
            vec![Text("(see "), Link(wiki), Text(").")]
        );
        assert_eq!(
            segments("[https://x.org/a]"),
            vec![Text("["), Link("https://x.org/a"), Text("]")]
        );
    }

    #[test]
    fn a_bare_scheme_or_other_schemes_stay_text() {
        assert_eq!(segments("https:// then"), vec![Text("https:// then")]);
        assert_eq!(
            segments("javascript:alert(1)"),
            vec![Text("javascript:alert(1)")]
        );
    }

    #[test]
    fn markup_stays_text() {
        assert_eq!(
            segments("<b>https://a.io</b>"),
            vec![Text("<b>"), Link("https://a.io"), Text("</b>")]
        );
    }
}
