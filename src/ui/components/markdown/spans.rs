//! The inline pieces read by looking ahead from where they start: code spans, link
//! destinations, autolinks and character references. Each says what it read and how many
//! bytes it used, or `None` when the text there is just text.

/// A code span's text after an opening run of `run` backticks, and how much it used.
pub(super) fn code_span(rest: &str, run: usize) -> Option<(String, usize)> {
    let mut from = 0;
    while let Some(found) = rest[from..].find('`') {
        let start = from + found;
        let length = rest[start..].chars().take_while(|&c| c == '`').count();
        if length == run {
            let code = rest[..start].replace('\n', " ");
            let trimmed = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                Some(inner) if !code.trim().is_empty() => inner.to_owned(),
                _ => code,
            };
            return Some((trimmed, start + length));
        }
        from = start + length;
    }
    None
}

/// A link's `(destination "title")` after its `]`: the address and how much it used.
pub(super) fn destination(rest: &str) -> Option<(String, usize)> {
    let spaces = |from: usize| from + rest[from..].len() - rest[from..].trim_start().len();
    let mut at = spaces(rest.strip_prefix('(').map(|_| 1)?);
    let mut href = String::new();
    if let Some(angled) = rest[at..].strip_prefix('<') {
        let end = angled.find(['>', '\n', '<'])?;
        angled[end..].starts_with('>').then_some(())?;
        href.push_str(&angled[..end]);
        at += end + 2;
    } else {
        let start = at;
        let (mut parens, mut escaped) = (0_usize, false);
        for (i, c) in rest[start..].char_indices() {
            if escaped {
                escaped = false;
                if c.is_ascii_punctuation() {
                    href.push(c);
                    at = start + i + 1;
                    continue;
                }
                href.push('\\');
            }
            match c {
                '\\' => {
                    escaped = true;
                    at = start + i + 1;
                    continue;
                }
                '(' => parens += 1,
                ')' if parens == 0 => break,
                ')' => parens -= 1,
                c if c.is_whitespace() || c.is_control() => break,
                _ => {}
            }
            href.push(c);
            at = start + i + c.len_utf8();
        }
        if escaped {
            href.push('\\');
        }
    }
    let after = spaces(at);
    if after > at
        && let Some(quote) = rest[after..]
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '('))
    {
        let close = if quote == '(' { ')' } else { quote };
        let end = rest[after + 1..].find(close)?;
        at = spaces(after + end + 2);
    } else {
        at = after;
    }
    rest[at..].starts_with(')').then_some((href, at + 1))
}

/// `<https://…>` or `<someone@example.org>`: the address and how much it used.
pub(super) fn autolink(rest: &str) -> Option<(String, usize)> {
    let end = rest.find(['>', '<', ' ', '\n'])?;
    rest[end..].starts_with('>').then_some(())?;
    let address = &rest[..end];
    let (scheme, _) = address.split_once(':').unwrap_or_default();
    let href = if (2..=32).contains(&scheme.len())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        address.to_owned()
    } else if address.contains('@') && !address.starts_with('@') && !address.ends_with('@') {
        format!("mailto:{address}")
    } else {
        return None;
    };
    Some((href, end + 1))
}

/// A character reference (`&amp;`, `&#233;`, `&#x1F600;`): the character and its length.
pub(super) fn reference(rest: &str) -> Option<(char, usize)> {
    let end = rest.find(';').filter(|&end| end <= 10)?;
    let name = &rest[1..end];
    let decoded = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}')
        }
    };
    Some((decoded, end + 1))
}
