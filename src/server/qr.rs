//! QR codes for sign-in links, drawn as one SVG path (no image, no script: the page's policy
//! allows it, and it scales).

use qrcode::{Color, EcLevel};

use crate::model::QrCode;

/// `text` as a QR code (error correction level M: a phone's camera reads it off a screen).
pub(crate) fn qr_code(text: &str) -> Option<QrCode> {
    let code = qrcode::QrCode::with_error_correction_level(text, EcLevel::M).ok()?;
    let size = code.width();
    let mut path = String::new();
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (index % size, index / size);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(QrCode {
        size: u32::try_from(size).ok()?,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_becomes_a_square_of_modules() {
        let code =
            qr_code("http://localhost:3000/link/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
                .unwrap();
        // Version 4 (33 modules) or so for a URL this long; always square and odd-sized.
        assert!(code.size >= 21 && code.size % 2 == 1, "{}", code.size);
        let squares = code.path.matches('M').count();
        assert!(squares > 100 && squares < (code.size * code.size) as usize);
        assert!(
            code.path.starts_with("M0 0h1v1h-1z"),
            "the finder pattern's corner is dark"
        );
    }
}
