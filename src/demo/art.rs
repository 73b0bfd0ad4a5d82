//! Procedural artwork for the demo site: lead illustrations and author avatars drawn as SVG.
//!
//! The demo ships no image files. Every picture is generated from a seed, so an article always
//! gets the same illustration while two articles sharing a motif still look different. Only `std`
//! is used so the module compiles (and its tests run) on its own.

use std::f64::consts::{PI, TAU};
use std::fmt::{self, Display, Write as _};

/// Every motif [`lead_illustration`] draws.
pub const MOTIFS: [&str; 12] = [
    "globe",
    "skyline",
    "chart",
    "waves",
    "mountains",
    "pitch",
    "circuit",
    "parliament",
    "stage",
    "leaf",
    "orbit",
    "map",
];

/// Width of every lead illustration, in pixels (16:9).
pub const LEAD_WIDTH: u32 = 1600;
/// Height of every lead illustration, in pixels (16:9).
pub const LEAD_HEIGHT: u32 = 900;
/// Width and height of every avatar, in pixels.
pub const AVATAR_SIZE: u32 = 256;

const W: f64 = LEAD_WIDTH as f64;
const H: f64 = LEAD_HEIGHT as f64;

/// Base hues that give calm palettes; motifs without a natural colour pick from these.
const ANY_HUES: [f64; 10] = [12.0, 28.0, 42.0, 150.0, 170.0, 190.0, 205.0, 220.0, 245.0, 340.0];

/// Draws a lead illustration as a complete SVG document for the given motif; `seed` varies composition and colours
/// so that two articles with the same motif look different. Unknown motif names fall back to an abstract composition.
pub fn lead_illustration(motif: &str, seed: u64) -> String {
    let motif = motif.trim().to_ascii_lowercase();
    let draw: fn(&mut Svg, &mut Rng) = match motif.as_str() {
        "globe" => globe,
        "skyline" => skyline,
        "chart" => chart,
        "waves" => waves,
        "mountains" => mountains,
        "pitch" => pitch,
        "circuit" => circuit,
        "parliament" => parliament,
        "stage" => stage,
        "leaf" => leaf,
        "orbit" => orbit,
        "map" => map,
        _ => abstract_composition,
    };
    // Mixing the motif in keeps one seed from giving every motif the same palette and layout.
    let mut rng = Rng::new(seed ^ seed_from(&motif));
    let mut svg = Svg::new(LEAD_WIDTH, LEAD_HEIGHT);
    draw(&mut svg, &mut rng);
    svg.finish()
}

/// Draws a square (256x256) avatar SVG showing the initials on a coloured background derived from the seed.
pub fn avatar(initials: &str, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    // Curated hues avoid the muddy olives a fully random hue can give at this lightness.
    let hue = rng.pick([5.0, 20.0, 35.0, 150.0, 170.0, 190.0, 205.0, 220.0, 240.0, 265.0, 290.0, 330.0])
        + rng.range(-6.0, 6.0);
    let background = hsl(hue, rng.range(28.0, 40.0), rng.range(40.0, 48.0));
    let disc = hsl(hue + rng.range(-25.0, 25.0), 36.0, 60.0);
    let text: String = initials.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).take(3).collect();
    let size = AVATAR_SIZE as f64;
    let mut svg = Svg::new(AVATAR_SIZE, AVATAR_SIZE);
    svg.rect(0.0, 0.0, size, size, background);
    // One off-centre disc adds depth without competing with the letters.
    let angle = rng.range(0.0, TAU);
    let (x, y) = (size / 2.0 + 150.0 * angle.cos(), size / 2.0 + 150.0 * angle.sin());
    svg.circle(x, y, rng.range(110.0, 150.0), disc.alpha(0.5));
    if !text.is_empty() {
        let font_size = match text.chars().count() {
            1 => 120,
            2 => 100,
            _ => 78,
        };
        svg.put(format_args!(
            r#"<text x="{c}" y="{c}" dy="0.35em" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="{font_size}" font-weight="600" fill="{}">{}</text>"#,
            hsl(hue, 30.0, 97.0),
            Escaped(&text),
            c = N(size / 2.0),
        ));
    }
    svg.finish()
}

/// Stable 64-bit seed from text (e.g. an article slug), FNV-1a.
pub fn seed_from(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

// ---------------------------------------------------------------------------------------------
// Randomness, numbers and colour
// ---------------------------------------------------------------------------------------------

/// splitmix64: tiny and deterministic across platforms, which is all artwork needs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, built from the top 53 bits so every value is exactly representable.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in `lo..=hi`.
    fn int(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi.saturating_sub(lo) as u64 + 1)) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn sign(&mut self) -> f64 {
        if self.chance(0.5) { -1.0 } else { 1.0 }
    }

    fn pick<T: Copy, const N: usize>(&mut self, items: [T; N]) -> T {
        // Checked at compile time, so the index below can never be out of bounds.
        const { assert!(N > 0, "pick needs at least one item") };
        items[self.int(0, N - 1)]
    }
}

/// A number printed with at most one decimal and no trailing `.0`, to keep documents small.
#[derive(Clone, Copy)]
struct N(f64);

impl Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Integer tenths avoid float formatting quirks such as "-0" or "0.30000000000000004".
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let abs = tenths.unsigned_abs();
        if abs.is_multiple_of(10) {
            write!(f, "{sign}{}", abs / 10)
        } else {
            write!(f, "{sign}{}.{}", abs / 10, abs % 10)
        }
    }
}

/// Text escaped for XML character data and attribute values.
struct Escaped<'a>(&'a str);

impl Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&apos;")?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// A colour in HSL (saturation and lightness in percent), printed as `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hsl {
    h: f64,
    s: f64,
    l: f64,
}

fn hsl(h: f64, s: f64, l: f64) -> Hsl {
    Hsl { h, s, l }
}

impl Hsl {
    fn alpha(self, opacity: f64) -> Paint {
        Paint { color: self, opacity }
    }

    /// Interpolates along the shorter way round the hue wheel, for smooth depth ramps.
    fn mix(self, other: Hsl, t: f64) -> Hsl {
        let dh = (other.h - self.h + 540.0).rem_euclid(360.0) - 180.0;
        hsl(self.h + dh * t, lerp(self.s, other.s, t), lerp(self.l, other.l, t))
    }

    fn rgb(self) -> [u8; 3] {
        let s = (self.s / 100.0).clamp(0.0, 1.0);
        let l = (self.l / 100.0).clamp(0.0, 1.0);
        let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
        let hp = self.h.rem_euclid(360.0) / 60.0;
        let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
        let (r, g, b) = match hp as u32 {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let m = l - c / 2.0;
        [r, g, b].map(|v| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8)
    }
}

impl Display for Hsl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.rgb();
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// A colour with opacity, used for fills and strokes.
#[derive(Clone, Copy)]
struct Paint {
    color: Hsl,
    opacity: f64,
}

impl From<Hsl> for Paint {
    fn from(color: Hsl) -> Self {
        color.alpha(1.0)
    }
}

/// A muted palette around one hue: tints for backgrounds, shades for shapes, and one contrasting
/// accent so that a single element leads the eye, as in editorial illustration.
#[derive(Clone, Copy)]
struct Palette {
    hue: f64,
    bg: Hsl,
    bg_alt: Hsl,
    light: Hsl,
    mid: Hsl,
    dark: Hsl,
    ink: Hsl,
    accent: Hsl,
    accent_soft: Hsl,
    /// Always warm, for suns and lamps, whatever the accent is.
    glow: Hsl,
    paper: Hsl,
}

impl Palette {
    fn new<const K: usize>(rng: &mut Rng, hues: [f64; K]) -> Self {
        let hue = rng.pick(hues) + rng.range(-8.0, 8.0);
        let s = rng.range(20.0, 32.0);
        // Warm accents on cool bases (and the reverse) give contrast without loud saturation.
        let cool = (90.0..290.0).contains(&hue.rem_euclid(360.0));
        let warm_hue = rng.pick([8.0, 20.0, 32.0, 42.0, 352.0]) + rng.range(-5.0, 5.0);
        let (accent_hue, accent_sat) = if cool {
            (warm_hue, rng.range(52.0, 62.0))
        } else {
            // Cool hues look louder at equal saturation, so they get less of it.
            (rng.pick([175.0, 192.0, 205.0, 218.0]) + rng.range(-5.0, 5.0), rng.range(38.0, 48.0))
        };
        Self {
            hue,
            bg: hsl(hue, s, rng.range(88.0, 92.0)),
            bg_alt: hsl(hue, s + 2.0, 82.0),
            light: hsl(hue, s + 4.0, 72.0),
            mid: hsl(hue, s + 8.0, 54.0),
            dark: hsl(hue, s + 10.0, 34.0),
            ink: hsl(hue, s + 12.0, 17.0),
            accent: hsl(accent_hue, accent_sat, rng.range(56.0, 62.0)),
            accent_soft: hsl(accent_hue, accent_sat * 0.85, 78.0),
            glow: hsl(warm_hue, rng.range(55.0, 65.0), rng.range(60.0, 66.0)),
            paper: hsl(hue, 30.0, 97.0),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry and SVG writing
// ---------------------------------------------------------------------------------------------

type Pt = (f64, f64);

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

fn lerp_pt(a: Pt, b: Pt, t: f64) -> Pt {
    (lerp(a.0, b.0, t), lerp(a.1, b.1, t))
}

/// Rotates `p` about `c` by `deg` degrees, matching SVG's `rotate(deg cx cy)`.
fn rotate(p: Pt, c: Pt, deg: f64) -> Pt {
    let (sin, cos) = deg.to_radians().sin_cos();
    let (dx, dy) = (p.0 - c.0, p.1 - c.1);
    (c.0 + dx * cos - dy * sin, c.1 + dx * sin + dy * cos)
}

/// Points on a wobbly ellipse, for organic shapes such as continents and clouds.
fn blob_points(rng: &mut Rng, centre: Pt, rx: f64, ry: f64, count: usize, wobble: f64) -> Vec<Pt> {
    let start = rng.range(0.0, TAU);
    (0..count)
        .map(|i| {
            let a = start + TAU * i as f64 / count as f64;
            let k = 1.0 - wobble * rng.unit();
            (centre.0 + rx * k * a.cos(), centre.1 + ry * k * a.sin())
        })
        .collect()
}

/// Path data builder. Shapes added by the helpers all wind clockwise, so several shapes in one
/// path merge into a single silhouette under the default non-zero fill rule.
#[derive(Default)]
struct Path(String);

impl Path {
    fn new() -> Self {
        Self::default()
    }

    fn cmd(&mut self, letter: char, nums: &[f64]) -> &mut Self {
        self.0.push(letter);
        for (i, v) in nums.iter().enumerate() {
            if i > 0 {
                self.0.push(' ');
            }
            let _ = write!(self.0, "{}", N(*v));
        }
        self
    }

    fn m(&mut self, x: f64, y: f64) -> &mut Self {
        self.cmd('M', &[x, y])
    }

    fn l(&mut self, x: f64, y: f64) -> &mut Self {
        self.cmd('L', &[x, y])
    }

    fn h(&mut self, x: f64) -> &mut Self {
        self.cmd('H', &[x])
    }

    fn v(&mut self, y: f64) -> &mut Self {
        self.cmd('V', &[y])
    }

    fn q(&mut self, x1: f64, y1: f64, x: f64, y: f64) -> &mut Self {
        self.cmd('Q', &[x1, y1, x, y])
    }

    fn c(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, x: f64, y: f64) -> &mut Self {
        self.cmd('C', &[x1, y1, x2, y2, x, y])
    }

    fn arc(&mut self, rx: f64, ry: f64, large: bool, sweep: bool, x: f64, y: f64) -> &mut Self {
        let flags = |b: bool| if b { 1.0 } else { 0.0 };
        self.cmd('A', &[rx, ry, 0.0, flags(large), flags(sweep), x, y])
    }

    fn z(&mut self) -> &mut Self {
        self.0.push('Z');
        self
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) -> &mut Self {
        self.m(x, y).h(x + w).v(y + h).h(x).z()
    }

    /// A rectangle with fully rounded ends (a capsule).
    fn pill(&mut self, x: f64, y: f64, w: f64, h: f64) -> &mut Self {
        let r = h / 2.0;
        self.m(x + r, y).h(x + w - r).arc(r, r, false, true, x + w - r, y + h).h(x + r);
        self.arc(r, r, false, true, x + r, y).z()
    }

    fn circle(&mut self, cx: f64, cy: f64, r: f64) -> &mut Self {
        self.m(cx - r, cy).arc(r, r, true, true, cx + r, cy).arc(r, r, true, true, cx - r, cy).z()
    }

    fn polygon(&mut self, pts: &[Pt]) -> &mut Self {
        for (i, &(x, y)) in pts.iter().enumerate() {
            if i == 0 {
                self.m(x, y)
            } else {
                self.l(x, y)
            };
        }
        self.z()
    }

    /// A smooth curve through `pts` (Catmull-Rom converted to cubic Béziers).
    fn smooth(&mut self, pts: &[Pt], closed: bool) -> &mut Self {
        let n = pts.len();
        if n < 3 {
            return if closed { self.polygon(pts) } else { self };
        }
        let at = |i: isize| -> Pt {
            let i = if closed { i.rem_euclid(n as isize) } else { i.clamp(0, n as isize - 1) };
            pts[i as usize]
        };
        self.m(pts[0].0, pts[0].1);
        let segments = if closed { n } else { n - 1 };
        for i in 0..segments as isize {
            let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
            self.c(
                p1.0 + (p2.0 - p0.0) / 6.0,
                p1.1 + (p2.1 - p0.1) / 6.0,
                p2.0 - (p3.0 - p1.0) / 6.0,
                p2.1 - (p3.1 - p1.1) / 6.0,
                p2.0,
                p2.1,
            );
        }
        if closed { self.z() } else { self }
    }

    /// The part of a disc left unlit when light comes from `(dx, dy)` relative to its centre.
    fn crescent(&mut self, cx: f64, cy: f64, r: f64, dx: f64, dy: f64) -> &mut Self {
        let d = dx.hypot(dy).clamp(0.01, r * 1.9);
        let (ux, uy) = (dx / dx.hypot(dy).max(0.01), dy / dx.hypot(dy).max(0.01));
        let (mx, my) = (cx + ux * d / 2.0, cy + uy * d / 2.0);
        let h = (r * r - d * d / 4.0).sqrt();
        let (p1, p2) = ((mx - uy * h, my + ux * h), (mx + uy * h, my - ux * h));
        self.m(p1.0, p1.1).arc(r, r, true, true, p2.0, p2.1).arc(r, r, false, false, p1.0, p1.1).z()
    }

    /// A cumulus made of a capsule with two bumps, sitting on `y`.
    fn cloud(&mut self, x: f64, y: f64, w: f64) -> &mut Self {
        let h = w * 0.2;
        self.pill(x, y - h, w, h);
        self.circle(x + w * 0.36, y - h, w * 0.18);
        self.circle(x + w * 0.62, y - h * 0.9, w * 0.12)
    }

    /// A two-tier pine tree standing on `base`.
    fn pine(&mut self, x: f64, base: f64, h: f64) -> &mut Self {
        self.rect(x - h * 0.04, base - h * 0.2, h * 0.08, h * 0.2);
        self.polygon(&[(x - h * 0.3, base - h * 0.16), (x, base - h * 0.72), (x + h * 0.3, base - h * 0.16)]);
        self.polygon(&[(x - h * 0.22, base - h * 0.5), (x, base - h), (x + h * 0.22, base - h * 0.5)])
    }
}

/// A stroke style; lines are always drawn with round caps and joins for a soft, drawn look.
#[derive(Clone, Copy)]
struct Stroke {
    paint: Paint,
    width: f64,
    dash: Option<(f64, f64)>,
}

/// Writes one paint attribute pair such as ` fill="#…" fill-opacity="…"`.
struct PaintAttr(&'static str, Paint);

impl Display for PaintAttr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, r#" {}="{}""#, self.0, self.1.color)?;
        if self.1.opacity < 1.0 {
            write!(f, r#" {}-opacity="{}""#, self.0, N(self.1.opacity))?;
        }
        Ok(())
    }
}

/// An SVG document being written.
struct Svg {
    out: String,
    ids: u32,
}

impl Svg {
    fn new(width: u32, height: u32) -> Self {
        let mut out = String::with_capacity(8 * 1024);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">"#
        );
        Self { out, ids: 0 }
    }

    /// Appends markup; writing to a `String` cannot fail, so the `fmt::Result` carries nothing.
    fn put(&mut self, args: fmt::Arguments<'_>) {
        let _ = self.out.write_fmt(args);
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }

    fn next_id(&mut self) -> String {
        self.ids += 1;
        format!("a{}", self.ids)
    }

    /// Writes `<{geometry} …paint/>`; a missing fill means an outline only.
    fn element(&mut self, geometry: fmt::Arguments<'_>, fill: Option<Paint>, stroke: Option<Stroke>) {
        self.put(format_args!("<{geometry}"));
        match fill {
            Some(paint) => self.put(format_args!("{}", PaintAttr("fill", paint))),
            None => self.out.push_str(r#" fill="none""#),
        }
        if let Some(s) = stroke {
            self.put(format_args!(
                r#"{} stroke-width="{}" stroke-linecap="round" stroke-linejoin="round""#,
                PaintAttr("stroke", s.paint),
                N(s.width)
            ));
            if let Some((on, off)) = s.dash {
                self.put(format_args!(r#" stroke-dasharray="{} {}""#, N(on), N(off)));
            }
        }
        self.out.push_str("/>");
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, paint: impl Into<Paint>) {
        self.round_rect(x, y, w, h, 0.0, paint);
    }

    fn round_rect(&mut self, x: f64, y: f64, w: f64, h: f64, r: f64, paint: impl Into<Paint>) {
        let rounding = if r > 0.0 { format!(r#" rx="{}""#, N(r)) } else { String::new() };
        self.element(
            format_args!(r#"rect x="{}" y="{}" width="{}" height="{}"{rounding}"#, N(x), N(y), N(w), N(h)),
            Some(paint.into()),
            None,
        );
    }

    fn circle(&mut self, cx: f64, cy: f64, r: f64, paint: impl Into<Paint>) {
        self.element(format_args!(r#"circle cx="{}" cy="{}" r="{}""#, N(cx), N(cy), N(r)), Some(paint.into()), None);
    }

    fn ring(&mut self, cx: f64, cy: f64, r: f64, paint: impl Into<Paint>, width: f64) {
        let stroke = Stroke { paint: paint.into(), width, dash: None };
        self.element(format_args!(r#"circle cx="{}" cy="{}" r="{}""#, N(cx), N(cy), N(r)), None, Some(stroke));
    }

    fn ellipse(&mut self, cx: f64, cy: f64, rx: f64, ry: f64, paint: impl Into<Paint>) {
        self.element(
            format_args!(r#"ellipse cx="{}" cy="{}" rx="{}" ry="{}""#, N(cx), N(cy), N(rx), N(ry)),
            Some(paint.into()),
            None,
        );
    }

    fn fill(&mut self, d: &Path, paint: impl Into<Paint>) {
        if !d.0.is_empty() {
            self.element(format_args!(r#"path d="{}""#, d.0), Some(paint.into()), None);
        }
    }

    fn stroke(&mut self, d: &Path, paint: impl Into<Paint>, width: f64) {
        self.draw(d, None, Stroke { paint: paint.into(), width, dash: None });
    }

    fn dashed(&mut self, d: &Path, paint: impl Into<Paint>, width: f64, dash: (f64, f64)) {
        self.draw(d, None, Stroke { paint: paint.into(), width, dash: Some(dash) });
    }

    fn draw(&mut self, d: &Path, fill: Option<Paint>, stroke: Stroke) {
        if !d.0.is_empty() {
            self.element(format_args!(r#"path d="{}""#, d.0), fill, Some(stroke));
        }
    }

    fn open_rotated(&mut self, deg: f64, c: Pt) {
        self.put(format_args!(r#"<g transform="rotate({} {} {})">"#, N(deg), N(c.0), N(c.1)));
    }

    fn open_clipped(&mut self, id: &str) {
        self.put(format_args!(r#"<g clip-path="url(#{id})">"#));
    }

    fn close(&mut self) {
        self.out.push_str("</g>");
    }

    /// Defines a circular clip path and returns its id.
    fn clip_circle(&mut self, cx: f64, cy: f64, r: f64) -> String {
        let id = self.next_id();
        self.put(format_args!(
            r#"<defs><clipPath id="{id}"><circle cx="{}" cy="{}" r="{}"/></clipPath></defs>"#,
            N(cx),
            N(cy),
            N(r)
        ));
        id
    }

    /// Covers the canvas with a fine dot grid: texture for one element instead of hundreds.
    fn dot_grid(&mut self, spacing: f64, r: f64, colour: Hsl) {
        let id = self.next_id();
        self.put(format_args!(
            r#"<defs><pattern id="{id}" width="{s}" height="{s}" patternUnits="userSpaceOnUse"><circle cx="{c}" cy="{c}" r="{}" fill="{colour}"/></pattern></defs><rect width="{}" height="{}" fill="url(#{id})"/>"#,
            N(r),
            N(W),
            N(H),
            s = N(spacing),
            c = N(spacing / 2.0),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Shared scenery
// ---------------------------------------------------------------------------------------------

/// A sun with two soft halos in a paler tint of its colour.
fn sun(svg: &mut Svg, c: Pt, r: f64, core: Hsl) {
    let halo = hsl(core.h, core.s * 0.8, 80.0);
    svg.circle(c.0, c.1, r * 1.55, halo.alpha(0.3));
    svg.circle(c.0, c.1, r * 1.25, halo.alpha(0.5));
    svg.circle(c.0, c.1, r, core);
}

/// A few clouds spread across the width so they never pile up in one corner.
fn clouds(svg: &mut Svg, rng: &mut Rng, count: usize, ys: (f64, f64), paint: Paint) {
    let slot = W / count.max(1) as f64;
    let mut d = Path::new();
    for i in 0..count {
        let x = slot * i as f64 + rng.range(0.0, slot * 0.45);
        d.cloud(x, rng.range(ys.0, ys.1), rng.range(170.0, 280.0));
    }
    svg.fill(&d, paint);
}

/// Distant birds as simple "m" strokes.
fn birds(svg: &mut Svg, rng: &mut Rng, count: (usize, usize), area: (f64, f64, f64, f64), paint: Paint) {
    let mut d = Path::new();
    for _ in 0..rng.int(count.0, count.1) {
        let (x, y) = (rng.range(area.0, area.1), rng.range(area.2, area.3));
        let s = rng.range(10.0, 17.0);
        d.m(x - s, y - s * 0.2).q(x - s * 0.5, y - s * 0.75, x, y).q(x + s * 0.5, y - s * 0.75, x + s, y - s * 0.2);
    }
    svg.stroke(&d, paint, 3.5);
}

/// A starfield in three brightness classes, one element per class.
fn stars(svg: &mut Svg, rng: &mut Rng, count: usize, colour: Hsl) {
    for (opacity, r) in [(0.3, 1.6), (0.6, 2.2), (0.9, 3.0)] {
        let mut d = Path::new();
        for _ in 0..count / 3 {
            d.circle(rng.range(0.0, W), rng.range(0.0, H), r);
        }
        svg.fill(&d, colour.alpha(opacity));
    }
    // A couple of four-point sparkles break the regularity of round dots.
    let mut d = Path::new();
    for _ in 0..3 {
        let (x, y, s) = (rng.range(60.0, W - 60.0), rng.range(60.0, H - 60.0), rng.range(9.0, 15.0));
        d.m(x, y - s).q(x, y, x + s, y).q(x, y, x, y + s).q(x, y, x - s, y).q(x, y, x, y - s).z();
    }
    svg.fill(&d, colour.alpha(0.9));
}

// ---------------------------------------------------------------------------------------------
// Motifs
// ---------------------------------------------------------------------------------------------

fn globe(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [188.0, 200.0, 212.0, 224.0]);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let c = (rng.range(620.0, 980.0), rng.range(430.0, 470.0));
    let r = rng.range(280.0, 320.0);
    // Rings around the globe suggest reach and set it off from the flat background.
    svg.circle(c.0, c.1, r * 1.3, p.bg_alt);
    for k in 1..=2 {
        svg.ring(c.0, c.1, r * (1.3 + 0.17 * k as f64), p.light.alpha(0.7), 2.0);
    }
    let clip = svg.clip_circle(c.0, c.1, r);
    svg.circle(c.0, c.1, r, p.mid);
    svg.open_clipped(&clip);
    let mut land = Path::new();
    // Each continent is a cluster of overlapping blobs, which gives coastlines with bays and capes.
    for _ in 0..rng.int(3, 5) {
        let (a, d) = (rng.range(0.0, TAU), r * rng.range(0.15, 0.85));
        let centre = (c.0 + d * a.cos(), c.1 + d * a.sin());
        for _ in 0..rng.int(2, 3) {
            let part = (centre.0 + r * rng.range(-0.16, 0.16), centre.1 + r * rng.range(-0.14, 0.14));
            let (rx, ry) = (r * rng.range(0.12, 0.26), r * rng.range(0.1, 0.2));
            let pts = blob_points(rng, part, rx, ry, 8, 0.4);
            land.smooth(&pts, true);
        }
    }
    svg.fill(&land, p.accent_soft);
    // Graticule: straight parallels and half-ellipse meridians, turned for a tilted axis.
    let tilt = rng.range(-22.0, 22.0);
    svg.open_rotated(tilt, c);
    let mut grid = Path::new();
    for k in -2..=2 {
        let y = c.1 + r * (k as f64 * PI / 6.0).sin();
        grid.m(c.0 - r * 1.5, y).h(c.0 + r * 1.5);
    }
    let offset = rng.range(0.0, 30.0);
    for k in 0..6 {
        let lon = (offset - 75.0 + 30.0 * k as f64).to_radians();
        let rx = r * lon.sin().abs();
        grid.m(c.0, c.1 - r).arc(rx.max(0.5), r, false, lon > 0.0, c.0, c.1 + r);
    }
    svg.stroke(&grid, p.paper.alpha(0.35), 2.5);
    svg.close();
    svg.close();
    let mut shade = Path::new();
    shade.crescent(c.0, c.1, r, -r * 0.3, -r * 0.24);
    svg.fill(&shade, p.ink.alpha(0.2));
    // Connection arcs between cities: the editorial shorthand for "global".
    let wanted = rng.int(3, 4);
    let mut cities: Vec<Pt> = Vec::new();
    for _ in 0..30 {
        let (a, d) = (rng.range(0.0, TAU), r * rng.range(0.2, 0.72));
        let city = (c.0 + d * a.cos(), c.1 + d * a.sin());
        // Keep cities apart so every arc is long enough to read.
        if cities.iter().all(|o| (o.0 - city.0).hypot(o.1 - city.1) > r * 0.5) {
            cities.push(city);
        }
        if cities.len() == wanted {
            break;
        }
    }
    let mut arcs = Path::new();
    for pair in cities.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let mid = lerp_pt(a, b, 0.5);
        let span = (b.0 - a.0).hypot(b.1 - a.1);
        let (ox, oy) = (mid.0 - c.0, mid.1 - c.1);
        let len = ox.hypot(oy).max(1.0);
        let lift = span * 0.45;
        arcs.m(a.0, a.1).q(mid.0 + ox / len * lift, mid.1 + oy / len * lift - span * 0.2, b.0, b.1);
    }
    svg.dashed(&arcs, p.paper, 4.0, (10.0, 10.0));
    for &(x, y) in &cities {
        svg.circle(x, y, 16.0, p.paper);
        svg.circle(x, y, 9.0, p.accent);
    }
}

fn skyline(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, ANY_HUES);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let ground = rng.range(770.0, 820.0);
    let sun_at = (rng.range(250.0, 1350.0), rng.range(230.0, 340.0));
    sun(svg, sun_at, rng.range(100.0, 150.0), p.glow);
    clouds(svg, rng, 3, (120.0, 360.0), p.paper.alpha(0.8));
    buildings(svg, rng, ground, (260.0, 470.0), (70.0, 140.0), p.light, None);
    buildings(svg, rng, ground, (170.0, 350.0), (80.0, 170.0), p.mid, None);
    buildings(svg, rng, ground, (110.0, 270.0), (100.0, 200.0), p.dark, Some(p.accent_soft.alpha(0.75)));
    svg.rect(0.0, ground - 1.0, W, H - ground + 1.0, p.ink);
    // Reflections on the river in front make the foreground less of a slab.
    let mut shimmer = Path::new();
    for _ in 0..6 {
        let (x, y) = (rng.range(80.0, W - 280.0), rng.range(ground + 22.0, H - 16.0));
        shimmer.pill(x, y, rng.range(60.0, 200.0), 6.0);
    }
    svg.fill(&shimmer, p.paper.alpha(0.2));
}

/// One depth layer of buildings merged into one silhouette, with optional lit windows.
fn buildings(svg: &mut Svg, rng: &mut Rng, ground: f64, heights: Pt, widths: Pt, fill: Hsl, windows: Option<Paint>) {
    let mut body = Path::new();
    let mut lights = Path::new();
    let mut x = rng.range(-60.0, 0.0);
    while x < W {
        let w = rng.range(widths.0, widths.1);
        let h = rng.range(heights.0, heights.1);
        let top = ground - h;
        body.rect(x, top, w, h + 2.0);
        match rng.int(0, 4) {
            0 => {
                let inset = w * rng.range(0.15, 0.28);
                let tier = h * rng.range(0.08, 0.16);
                body.rect(x + inset, top - tier, w - 2.0 * inset, tier + 1.0);
                if rng.chance(0.6) {
                    body.rect(x + w / 2.0 - 2.0, top - tier - h * 0.16, 4.0, h * 0.16 + 1.0);
                }
            }
            1 => {
                body.polygon(&[(x + w * 0.3, top + 1.0), (x + w * 0.5, top - h * 0.3), (x + w * 0.7, top + 1.0)]);
            }
            2 => {
                let rise = w * rng.range(0.2, 0.4);
                body.polygon(&[(x, top + 1.0), (x + w, top - rise), (x + w, top + 1.0)]);
            }
            _ => {}
        }
        if windows.is_some() {
            window_pattern(&mut lights, rng, x, top, w, ground);
        }
        // Slight overlaps keep each layer reading as one continuous skyline.
        x += w + rng.range(-w * 0.15, w * 0.08);
    }
    svg.fill(&body, fill);
    if let Some(paint) = windows {
        svg.fill(&lights, paint);
    }
}

/// Lit windows in one of three facade styles; only some are lit, which reads as evening.
fn window_pattern(d: &mut Path, rng: &mut Rng, x: f64, top: f64, w: f64, ground: f64) {
    let pad = 16.0;
    match rng.int(0, 2) {
        0 => {
            let mut wy = top + pad;
            while wy + 18.0 < ground - 24.0 {
                let mut wx = x + pad;
                while wx + 12.0 < x + w - pad {
                    if rng.chance(0.3) {
                        d.rect(wx, wy, 12.0, 18.0);
                    }
                    wx += 26.0;
                }
                wy += 38.0;
            }
        }
        1 => {
            let mut wy = top + pad;
            while wy + 8.0 < ground - 24.0 {
                if rng.chance(0.5) {
                    d.rect(x + pad, wy, w - 2.0 * pad, 7.0);
                }
                wy += 30.0;
            }
        }
        _ => {
            let mut wx = x + pad;
            while wx + 5.0 < x + w - pad {
                if rng.chance(0.5) {
                    d.rect(wx, top + pad, 5.0, ground - top - pad - 28.0);
                }
                wx += 22.0;
            }
        }
    }
}

fn chart(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, ANY_HUES);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let corner = (rng.pick([0.0, W]), rng.pick([0.0, H]));
    svg.circle(corner.0, corner.1, rng.range(380.0, 480.0), p.bg_alt);
    // A dashboard card with a soft offset shadow.
    let (px, py) = (rng.range(150.0, 220.0), rng.range(100.0, 140.0));
    let (pw, ph) = (W - 2.0 * px, H - py - rng.range(100.0, 140.0));
    svg.round_rect(px + 14.0, py + 18.0, pw, ph, 28.0, p.ink.alpha(0.1));
    svg.round_rect(px, py, pw, ph, 28.0, p.paper);
    // Title placeholders stand in for text, which lead images must not contain.
    svg.round_rect(px + 60.0, py + 52.0, rng.range(220.0, 320.0), 22.0, 11.0, p.dark);
    svg.round_rect(px + 60.0, py + 90.0, rng.range(130.0, 200.0), 14.0, 7.0, p.light);
    let donut = rng.chance(0.5);
    let (left, right) = (px + 60.0, px + pw - if donut { 440.0 } else { 60.0 });
    let (top, bottom) = (py + 160.0, py + ph - 60.0);
    let mut grid = Path::new();
    for k in 0..4 {
        grid.m(left, lerp(top, bottom, k as f64 / 4.0)).h(right);
    }
    svg.stroke(&grid, p.bg_alt, 3.0);

    let n = rng.int(7, 11);
    let slot = (right - left) / n as f64;
    let trend = rng.range(-0.02, 0.07);
    let walk = |start: f64, rng: &mut Rng| -> Vec<f64> {
        let mut v = start;
        (0..n)
            .map(|_| {
                v = (v + trend + rng.range(-0.12, 0.12)).clamp(0.1, 0.95);
                v
            })
            .collect()
    };
    let bars = walk(rng.range(0.2, 0.45), rng);
    let line = walk(rng.range(0.3, 0.55), rng);
    let y_of = |v: f64| bottom - v * (bottom - top);
    let highlight = if rng.chance(0.5) { n - 1 } else { rng.int(0, n - 1) };
    let (mut plain, mut lit) = (Path::new(), Path::new());
    for (i, &v) in bars.iter().enumerate() {
        let (x, w, y) = (left + slot * (i as f64 + 0.22), slot * 0.56, y_of(v * 0.8));
        let r = (w / 2.0).min(10.0);
        let d = if i == highlight { &mut lit } else { &mut plain };
        d.m(x, bottom).v(y + r).q(x, y, x + r, y).h(x + w - r).q(x + w, y, x + w, y + r).v(bottom).z();
    }
    svg.fill(&plain, p.light);
    svg.fill(&lit, p.accent);
    let pts: Vec<Pt> = line.iter().enumerate().map(|(i, &v)| (left + slot * (i as f64 + 0.5), y_of(v))).collect();
    let mut area = Path::new();
    area.polygon(&[&[(pts[0].0, bottom)], pts.as_slice(), &[(pts[n - 1].0, bottom)]].concat());
    svg.fill(&area, p.mid.alpha(0.15));
    let mut trace = Path::new();
    trace.polygon(&pts);
    trace.0.pop(); // an open polyline: drop the closing `Z`
    svg.stroke(&trace, p.dark, 7.0);
    for &(x, y) in &pts[..n - 1] {
        svg.circle(x, y, 10.0, p.dark);
        svg.circle(x, y, 5.0, p.paper);
    }
    let last = pts[n - 1];
    svg.circle(last.0, last.1, 30.0, p.accent.alpha(0.25));
    svg.circle(last.0, last.1, 14.0, p.accent);
    svg.stroke(Path::new().m(left, bottom).h(right), p.light, 4.0);

    if donut {
        let (cx, cy, r) = (px + pw - 230.0, (top + bottom) / 2.0 - 40.0, 110.0);
        let circumference = TAU * r;
        let mut shares: Vec<f64> = (0..rng.int(3, 4)).map(|_| rng.range(0.5, 1.5)).collect();
        let total: f64 = shares.iter().sum();
        for share in &mut shares {
            *share /= total;
        }
        let colours = [p.accent, p.mid, p.light, p.dark];
        let mut start = 0.0;
        for (share, colour) in shares.iter().zip(colours) {
            // Dash arrays cut one circle into arcs; a 2-unit gap separates the segments.
            let len = (share * circumference - 4.0).max(1.0);
            svg.put(format_args!(
                r#"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{colour}" stroke-width="44" stroke-dasharray="{} {}" stroke-dashoffset="{}" transform="rotate(-90 {} {})"/>"#,
                N(cx),
                N(cy),
                N(r),
                N(len),
                N(circumference),
                N(-start),
                N(cx),
                N(cy)
            ));
            start += share * circumference;
        }
        for (k, colour) in colours.iter().take(2).enumerate() {
            let y = cy + r + 60.0 + 34.0 * k as f64;
            svg.round_rect(cx - 100.0, y, 18.0, 18.0, 4.0, *colour);
            svg.round_rect(cx - 68.0, y + 3.0, rng.range(90.0, 160.0), 12.0, 6.0, p.bg_alt);
        }
    }
}

fn waves(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [185.0, 195.0, 205.0, 215.0, 225.0]);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let horizon = rng.range(440.0, 520.0);
    let sun_at = (rng.range(300.0, 1300.0), horizon - rng.range(60.0, 170.0));
    sun(svg, sun_at, rng.range(90.0, 140.0), p.glow);
    birds(svg, rng, (2, 4), (200.0, 1400.0, 90.0, horizon - 200.0), p.dark.alpha(0.8));
    let layers = 5;
    let boat_layer = if rng.chance(0.65) { Some(rng.int(1, 2)) } else { None };
    for k in 0..layers {
        let t = k as f64 / (layers - 1) as f64;
        let base = horizon + (H - horizon) * (0.02 + 0.82 * t.powf(0.9));
        let amp = 8.0 + 20.0 * t;
        let (l1, l2) = (rng.range(260.0, 420.0) * (1.0 + t), rng.range(110.0, 170.0));
        let (f1, f2) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
        let wave_y = |x: f64| base + amp * (TAU * x / l1 + f1).sin() + amp * 0.35 * (TAU * x / l2 + f2).sin();
        // Samples run past both edges so the crest stroke never shows at the sides.
        let pts: Vec<Pt> = (0..=18).map(|i| (-100.0 + 100.0 * i as f64, wave_y(-100.0 + 100.0 * i as f64))).collect();
        let mut d = Path::new();
        d.smooth(&pts, false).l(1700.0, 1000.0).l(-100.0, 1000.0).z();
        let colour = p.light.mix(p.ink, t * 0.9);
        svg.draw(&d, Some(colour.into()), Stroke { paint: p.paper.alpha(0.3), width: 4.0, dash: None });
        if k == 0 {
            // Glitter under the sun sits on the far water, behind the nearer swells.
            let mut glitter = Path::new();
            for j in 0..5 {
                let w = 160.0 - 24.0 * j as f64;
                glitter.pill(sun_at.0 - w / 2.0 + rng.range(-20.0, 20.0), base + 26.0 + 15.0 * j as f64, w, 6.0);
            }
            svg.fill(&glitter, p.glow.alpha(0.6));
        }
        if boat_layer == Some(k) {
            let x = rng.range(250.0, 1350.0);
            sailboat(svg, x, wave_y(x) + 6.0, 1.1 - 0.2 * k as f64, p);
        }
    }
}

fn sailboat(svg: &mut Svg, x: f64, y: f64, s: f64, p: Palette) {
    let mut hull = Path::new();
    hull.polygon(&[
        (x - 70.0 * s, y - 8.0 * s),
        (x + 70.0 * s, y - 8.0 * s),
        (x + 48.0 * s, y + 18.0 * s),
        (x - 48.0 * s, y + 18.0 * s),
    ]);
    hull.rect(x - 2.0 * s, y - 150.0 * s, 4.0 * s, 144.0 * s);
    svg.fill(&hull, p.ink);
    let mut sail = Path::new();
    sail.polygon(&[(x + 8.0 * s, y - 146.0 * s), (x + 8.0 * s, y - 20.0 * s), (x + 78.0 * s, y - 20.0 * s)]);
    svg.fill(&sail, p.paper);
    let mut jib = Path::new();
    jib.polygon(&[(x - 8.0 * s, y - 124.0 * s), (x - 8.0 * s, y - 20.0 * s), (x - 58.0 * s, y - 20.0 * s)]);
    svg.fill(&jib, p.accent_soft);
}

fn mountains(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [18.0, 30.0, 165.0, 200.0, 215.0, 230.0, 250.0]);
    svg.rect(0.0, 0.0, W, H, p.bg);
    sun(svg, (rng.range(250.0, 1350.0), rng.range(170.0, 280.0)), rng.range(70.0, 110.0), p.glow);
    clouds(svg, rng, 2, (150.0, 320.0), p.paper.alpha(0.75));
    let base = rng.range(700.0, 750.0);
    let far = rng.int(5, 6);
    for i in 0..far {
        let x = W * i as f64 / (far - 1) as f64 + rng.range(-80.0, 80.0);
        let (w, h) = (rng.range(420.0, 560.0), rng.range(250.0, 360.0));
        peak(svg, rng, (x, base), (w, h), p.light, None, p.dark.alpha(0.08));
    }
    let near = rng.int(3, 4);
    for i in 0..near {
        let x = W * (i as f64 + 0.5) / near as f64 + rng.range(-90.0, 90.0);
        let (w, h) = (rng.range(560.0, 760.0), rng.range(360.0, 520.0));
        peak(svg, rng, (x, base + 20.0), (w, h), p.mid, Some(p.paper), p.ink.alpha(0.2));
    }
    // A still lake gives the range a clean shoreline and separates it from the foreground.
    svg.rect(0.0, base + 14.0, W, H - base, p.bg_alt);
    let mut shimmer = Path::new();
    for _ in 0..5 {
        shimmer.pill(rng.range(60.0, W - 260.0), rng.range(base + 26.0, base + 70.0), rng.range(60.0, 200.0), 5.0);
    }
    svg.fill(&shimmer, p.paper.alpha(0.7));
    // Foreground hill with a scatter of pines, darkest layer for depth.
    let hill: Vec<Pt> = (0..=8).map(|i| (-100.0 + 225.0 * i as f64, base + rng.range(60.0, 110.0))).collect();
    let mut d = Path::new();
    d.smooth(&hill, false).l(1700.0, H + 10.0).l(-100.0, H + 10.0).z();
    svg.fill(&d, p.dark);
    let mut trees = Path::new();
    for _ in 0..rng.int(10, 18) {
        let x = rng.range(20.0, W - 20.0);
        let ground = base + 120.0 + rng.range(0.0, H - base - 110.0);
        trees.pine(x, ground, rng.range(70.0, 130.0));
    }
    svg.fill(&trees, p.ink);
}

/// A flat mountain: body, optional snow cap with a jagged edge, and a shaded right face.
fn peak(svg: &mut Svg, rng: &mut Rng, foot: Pt, size: (f64, f64), body: Hsl, snow: Option<Hsl>, shade: Paint) {
    let (w, h) = size;
    let apex = (foot.0 + rng.range(-w * 0.08, w * 0.08), foot.1 - h);
    let (left, right) = ((foot.0 - w / 2.0, foot.1), (foot.0 + w / 2.0, foot.1));
    let mut d = Path::new();
    d.polygon(&[left, apex, right]);
    svg.fill(&d, body);
    if let Some(snow) = snow {
        let t = rng.range(0.2, 0.3);
        let (l, r) = (lerp_pt(apex, left, t), lerp_pt(apex, right, t));
        let mut cap = vec![apex, r];
        for k in 1..6 {
            let edge = lerp_pt(r, l, k as f64 / 6.0);
            let drop = if k % 2 == 1 { h * rng.range(0.04, 0.08) } else { -h * 0.01 };
            cap.push((edge.0, edge.1 + drop));
        }
        cap.push(l);
        svg.fill(Path::new().polygon(&cap), snow);
    }
    let ridge = [
        apex,
        (apex.0 + w * 0.05, lerp(apex.1, foot.1, 0.4)),
        (apex.0 - w * 0.02, lerp(apex.1, foot.1, 0.65)),
        (apex.0 + w * 0.07, foot.1),
        right,
    ];
    svg.fill(Path::new().polygon(&ridge), shade);
}

fn pitch(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, ANY_HUES);
    let grass = rng.range(98.0, 136.0);
    let sat = rng.range(28.0, 38.0);
    let (x0, y0, w, h): (f64, f64, f64, f64) = (200.0, 60.0, 1200.0, 780.0);
    svg.rect(0.0, 0.0, W, H, hsl(grass, sat, 38.0));
    // Mowing stripes aligned with the pitch are what make grass read as a pitch from above.
    let sw = w / rng.pick([10.0, 12.0, 14.0, 16.0]);
    let mut stripes = Path::new();
    let mut x = x0 - (x0 / sw).ceil() * sw;
    while x < W {
        stripes.rect(x, 0.0, sw, H);
        x += 2.0 * sw;
    }
    svg.fill(&stripes, hsl(grass, sat, 42.0));
    let mut outside = Path::new();
    outside.rect(0.0, 0.0, W, H).rect(x0, y0, w, h);
    svg.put(format_args!(r#"<path d="{}" fill-rule="evenodd"{}/>"#, outside.0, PaintAttr("fill", p.ink.alpha(0.12))));

    // Markings to regulation proportions (105 x 68 m).
    let (sx, sy) = (w / 105.0, h / 68.0);
    let (x1, y1, cx, cy) = (x0 + w, y0 + h, x0 + w / 2.0, y0 + h / 2.0);
    let mut lines = Path::new();
    lines.rect(x0, y0, w, h).m(cx, y0).v(y1).circle(cx, cy, 9.15 * sx);
    for (edge, dir) in [(x0, 1.0), (x1, -1.0)] {
        let box_x = edge + dir * 16.5 * sx;
        lines.m(edge, cy - 20.16 * sy).h(box_x).v(cy + 20.16 * sy).h(edge);
        lines.m(edge, cy - 9.16 * sy).h(edge + dir * 5.5 * sx).v(cy + 9.16 * sy).h(edge);
        lines.m(box_x, cy - 7.31 * sx).arc(9.15 * sx, 9.15 * sx, false, dir > 0.0, box_x, cy + 7.31 * sx);
        let goal_x = if dir > 0.0 { edge - 2.2 * sx } else { edge };
        lines.rect(goal_x, cy - 3.66 * sy, 2.2 * sx, 7.32 * sy);
    }
    let k = sx;
    lines.m(x0 + k, y0).arc(k, k, false, true, x0, y0 + k);
    lines.m(x1 - k, y0).arc(k, k, false, false, x1, y0 + k);
    lines.m(x0, y1 - k).arc(k, k, false, true, x0 + k, y1);
    lines.m(x1, y1 - k).arc(k, k, false, false, x1 - k, y1);
    svg.stroke(&lines, p.paper.alpha(0.9), 5.0);
    let mut spots = Path::new();
    spots.circle(cx, cy, 6.0).circle(x0 + 11.0 * sx, cy, 5.0).circle(x1 - 11.0 * sx, cy, 5.0);
    svg.fill(&spots, p.paper.alpha(0.9));

    let (home_kit, away_kit) = if rng.chance(0.5) { (p.accent, p.paper) } else { (p.paper, p.accent) };
    let area = (x0, y0, w, h);
    let home = team(svg, rng, area, false, home_kit, p.ink);
    let away = team(svg, rng, area, true, away_kit, p.ink);
    // A dashed pass with an arrowhead, the tactics-board shorthand for play.
    let players = if rng.chance(0.5) { &home } else { &away };
    let from = players[rng.int(1, players.len() - 1)];
    let to = players[rng.int(1, players.len() - 1)];
    let to = if (to.0 - from.0).hypot(to.1 - from.1) < 150.0 { (cx, cy + rng.range(-200.0, 200.0)) } else { to };
    let ball = (from.0 + 20.0, from.1 + 14.0);
    let bend = rng.sign() * 0.25;
    let ctrl = ((ball.0 + to.0) / 2.0 - (to.1 - ball.1) * bend, (ball.1 + to.1) / 2.0 + (to.0 - ball.0) * bend);
    let (dx, dy) = (to.0 - ctrl.0, to.1 - ctrl.1);
    let len = dx.hypot(dy).max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let tip = (to.0 - ux * 24.0, to.1 - uy * 24.0);
    svg.dashed(
        Path::new().m(ball.0, ball.1).q(ctrl.0, ctrl.1, tip.0 - ux * 16.0, tip.1 - uy * 16.0),
        p.paper,
        5.0,
        (14.0, 12.0),
    );
    let head = [
        tip,
        (tip.0 - ux * 26.0 - uy * 13.0, tip.1 - uy * 26.0 + ux * 13.0),
        (tip.0 - ux * 26.0 + uy * 13.0, tip.1 - uy * 26.0 - ux * 13.0),
    ];
    svg.fill(Path::new().polygon(&head), p.paper);
    svg.circle(ball.0, ball.1, 9.0, p.paper);
    svg.ring(ball.0, ball.1, 9.0, p.ink, 2.5);
}

/// Eleven players in a seeded formation; returns their positions.
fn team(svg: &mut Svg, rng: &mut Rng, area: (f64, f64, f64, f64), mirrored: bool, kit: Hsl, trim: Hsl) -> Vec<Pt> {
    let (x0, y0, w, h) = area;
    let formation = rng.pick([[4, 4, 2, 0], [4, 3, 3, 0], [3, 5, 2, 0], [4, 2, 3, 1], [5, 3, 2, 0]]);
    let lines: Vec<usize> = formation.into_iter().filter(|&n| n > 0).collect();
    let depth = rng.range(0.4, 0.5);
    let mut spots = vec![(0.04, 0.5)];
    for (i, &n) in lines.iter().enumerate() {
        let fx = lerp(0.17, depth, i as f64 / (lines.len() - 1) as f64);
        for j in 0..n {
            spots.push((fx + rng.range(-0.02, 0.02), (j as f64 + 1.0) / (n as f64 + 1.0) + rng.range(-0.03, 0.03)));
        }
    }
    let players: Vec<Pt> =
        spots.into_iter().map(|(fx, fy)| (x0 + w * if mirrored { 1.0 - fx } else { fx }, y0 + h * fy)).collect();
    let (mut shadows, mut bodies) = (Path::new(), Path::new());
    for &(x, y) in &players {
        shadows.circle(x + 4.0, y + 6.0, 16.0);
        bodies.circle(x, y, 15.0);
    }
    svg.fill(&shadows, trim.alpha(0.25));
    svg.draw(&bodies, Some(kit.into()), Stroke { paint: trim.into(), width: 3.5, dash: None });
    players
}

fn circuit(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [150.0, 165.0, 180.0, 200.0, 215.0, 250.0]);
    let board = hsl(p.hue, 34.0, 15.0);
    let copper = hsl(p.hue, 30.0, 42.0);
    let metal = hsl(p.hue, 12.0, 74.0);
    svg.rect(0.0, 0.0, W, H, board);
    svg.dot_grid(32.0, 1.8, hsl(p.hue, 30.0, 21.0));
    let c = (rng.range(700.0, 900.0), rng.range(425.0, 475.0));
    let half = rng.range(130.0, 155.0);
    let pins = rng.int(6, 8);
    let span = half * 0.76;
    let pin_len = 26.0;
    let at = |i: usize| -span + 2.0 * span * i as f64 / (pins - 1) as f64;
    let (mut plain, mut lit, mut legs) = (Path::new(), Path::new(), Path::new());
    let (mut pads, mut parts): (Vec<(Pt, bool)>, Vec<Pt>) = (Vec::new(), Vec::new());
    // Left and right traces fan out at 45 degrees; the fan is monotonic, so traces never cross.
    for side in [-1.0, 1.0] {
        let fan = rng.range(0.9, 1.5);
        let edge = c.0 + side * (half + pin_len);
        let x1 = edge + side * rng.range(30.0, 70.0);
        for i in 0..pins {
            let y = c.1 + at(i);
            legs.rect(if side > 0.0 { c.0 + half - 4.0 } else { edge }, y - 6.0, pin_len + 4.0, 12.0);
            if rng.chance(0.12) {
                continue;
            }
            let off = at(i) * fan;
            let x2 = x1 + side * off.abs();
            let end = x2 + side * rng.range(90.0, 480.0);
            let open_end = !(40.0..W - 40.0).contains(&end);
            let end = if open_end { W / 2.0 + side * (W / 2.0 + 20.0) } else { end };
            let glowing = rng.chance(0.22);
            let d = if glowing { &mut lit } else { &mut plain };
            d.m(edge, y).h(x1).l(x2, y + off).h(end);
            if !open_end {
                pads.push(((end, y + off), glowing));
            }
            if (end - x2).abs() > 200.0 && rng.chance(0.35) {
                parts.push(((x2 + end) / 2.0, y + off));
            }
        }
    }
    // Top and bottom pins run straight out, staying inside the chip's width, clear of the fans.
    if rng.chance(0.65) {
        for side in [-1.0, 1.0] {
            let edge = c.1 + side * (half + pin_len);
            for i in 0..pins {
                let x = c.0 + at(i);
                legs.rect(x - 6.0, if side > 0.0 { c.1 + half - 4.0 } else { edge }, 12.0, pin_len + 4.0);
                if rng.chance(0.15) {
                    continue;
                }
                let end = (edge + side * rng.range(40.0, 170.0)).clamp(50.0, H - 50.0);
                let glowing = rng.chance(0.2);
                let d = if glowing { &mut lit } else { &mut plain };
                d.m(x, edge).v(end);
                pads.push(((x, end), glowing));
            }
        }
    }
    svg.stroke(&plain, copper, 7.0);
    svg.stroke(&lit, p.accent.alpha(0.25), 20.0);
    svg.stroke(&lit, p.accent, 7.0);
    for &((x, y), glowing) in &pads {
        svg.circle(x, y, 13.0, if glowing { p.accent } else { copper });
        svg.circle(x, y, 5.5, board);
    }
    // Small surface-mount parts sitting on long traces.
    for &(x, y) in &parts {
        svg.round_rect(x - 30.0, y - 14.0, 60.0, 28.0, 4.0, hsl(p.hue, 20.0, 9.0));
        let mut caps = Path::new();
        caps.rect(x - 30.0, y - 14.0, 13.0, 28.0).rect(x + 17.0, y - 14.0, 13.0, 28.0);
        svg.fill(&caps, metal);
    }
    svg.fill(&legs, metal);
    svg.round_rect(
        c.0 - half + 12.0,
        c.1 - half + 16.0,
        2.0 * half,
        2.0 * half,
        18.0,
        hsl(p.hue, 40.0, 6.0).alpha(0.6),
    );
    svg.round_rect(c.0 - half, c.1 - half, 2.0 * half, 2.0 * half, 18.0, hsl(p.hue, 22.0, 10.0));
    svg.round_rect(
        c.0 - half + 20.0,
        c.1 - half + 20.0,
        2.0 * half - 40.0,
        2.0 * half - 40.0,
        10.0,
        hsl(p.hue, 18.0, 14.0),
    );
    svg.circle(c.0 - half + 44.0, c.1 - half + 44.0, 10.0, hsl(p.hue, 16.0, 24.0));
    svg.ring(c.0, c.1, half * 0.32, p.accent.alpha(0.6), 5.0);
    svg.circle(c.0, c.1, half * 0.12, p.accent.alpha(0.6));
}

fn parliament(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [20.0, 32.0, 45.0, 200.0, 215.0, 340.0]);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let ground = rng.range(770.0, 800.0);
    let cx = rng.range(760.0, 840.0);
    let cols = 2 * rng.int(3, 5);
    let (col_w, gap) = (rng.range(30.0, 36.0), rng.range(36.0, 46.0));
    let portico = cols as f64 * col_w + (cols - 1) as f64 * gap + 60.0;
    let (left, right) = (cx - portico / 2.0, cx + portico / 2.0);
    let stylobate = ground - 48.0;
    let col_h = rng.range(170.0, 210.0);
    let col_top = stylobate - col_h;
    let ent_top = col_top - 46.0;
    let pediment = rng.chance(0.7);
    let roof = if pediment { (portico * 0.15).min(100.0) } else { 36.0 };
    let drum_w = (portico * rng.range(0.55, 0.65)).min(360.0);
    let drum_top = ent_top - roof - rng.range(50.0, 80.0);
    let dome_base = drum_top - 14.0;
    let (rx, ry) = (drum_w * 0.47, drum_w * 0.47 * rng.range(0.72, 0.92));
    let dome_top = dome_base - ry;

    sun(svg, (cx + rng.range(-60.0, 60.0), dome_base - ry * 0.3), rx * 1.55, hsl(p.glow.h, p.glow.s * 0.7, 80.0));
    birds(svg, rng, (2, 4), (150.0, 1450.0, 80.0, 300.0), p.dark.alpha(0.7));
    // Dome: meridian ribs and a shaded lune give volume with flat fills.
    let mut dome = Path::new();
    dome.m(cx - rx, dome_base).arc(rx, ry, false, true, cx + rx, dome_base).z();
    svg.fill(&dome, p.mid);
    let mut lune = Path::new();
    lune.m(cx, dome_top).arc(rx, ry, false, true, cx + rx, dome_base).h(cx + rx * 0.4);
    lune.arc(rx * 0.4, ry, false, false, cx, dome_top).z();
    svg.fill(&lune, p.ink.alpha(0.15));
    let mut ribs = Path::new();
    for k in [0.4, 0.75] {
        ribs.m(cx - rx * k, dome_base).arc(rx * k, ry, false, true, cx + rx * k, dome_base);
    }
    ribs.m(cx, dome_base).v(dome_top);
    svg.stroke(&ribs, p.dark.alpha(0.35), 4.0);
    svg.rect(cx - 18.0, dome_top - 46.0, 36.0, 50.0, p.paper);
    svg.fill(
        Path::new().m(cx - 24.0, dome_top - 44.0).arc(24.0, 18.0, false, true, cx + 24.0, dome_top - 44.0).z(),
        p.mid,
    );
    let pole_top = dome_top - 130.0;
    svg.rect(cx - 2.0, pole_top, 4.0, 70.0, p.ink);
    let mut flag = Path::new();
    flag.m(cx + 2.0, pole_top).q(cx + 30.0, pole_top - 8.0, cx + 58.0, pole_top + 2.0).v(pole_top + 34.0);
    flag.q(cx + 30.0, pole_top + 24.0, cx + 2.0, pole_top + 32.0).z();
    svg.fill(&flag, p.accent);
    // Drum with pilasters, partly hidden behind the portico roof.
    svg.rect(cx - drum_w / 2.0, drum_top, drum_w, ent_top - drum_top, p.bg_alt);
    let mut pilasters = Path::new();
    let mut windows = Path::new();
    let count = (drum_w / 44.0) as usize;
    for i in 0..=count {
        let x = cx - drum_w / 2.0 + drum_w * i as f64 / count as f64;
        pilasters.rect(x - 5.0, drum_top, 10.0, ent_top - drum_top);
        if i < count {
            windows.rect(x + drum_w / count as f64 / 2.0 - 6.0, drum_top + 18.0, 12.0, 30.0);
        }
    }
    svg.fill(&pilasters, p.paper);
    svg.fill(&windows, p.mid.alpha(0.8));
    svg.rect(cx - drum_w / 2.0 - 10.0, drum_top - 14.0, drum_w + 20.0, 14.0, p.paper);

    // Wings: lower blocks with two rows of windows.
    let wing_w = rng.range(200.0, 300.0).min((1480.0 - portico) / 2.0);
    let wing_top = col_top + 30.0;
    let mut wing_windows = Path::new();
    for side in [-1.0, 1.0] {
        let wx = if side < 0.0 { left - wing_w } else { right };
        svg.rect(wx, wing_top, wing_w, ground - wing_top, p.bg_alt);
        svg.rect(wx - 6.0, wing_top - 16.0, wing_w + 12.0, 16.0, p.paper);
        let n = (wing_w / 62.0) as usize;
        for i in 0..n {
            let x = wx + wing_w * (i as f64 + 0.5) / n as f64 - 13.0;
            for row in 0..2 {
                let y = wing_top + 30.0 + row as f64 * (ground - wing_top - 40.0) / 2.0;
                wing_windows
                    .m(x, y + 60.0)
                    .v(y + 13.0)
                    .arc(13.0, 13.0, false, true, x + 26.0, y + 13.0)
                    .v(y + 60.0)
                    .z();
            }
        }
    }
    svg.fill(&wing_windows, p.mid.alpha(0.7));

    // Portico: shadowed recess, columns, entablature and pediment.
    svg.rect(left + 12.0, col_top, portico - 24.0, col_h, p.mid);
    let door_w = gap * 0.9;
    let mut door = Path::new();
    door.m(cx - door_w / 2.0, stylobate).v(stylobate - col_h * 0.5);
    door.arc(door_w / 2.0, door_w / 2.0, false, true, cx + door_w / 2.0, stylobate - col_h * 0.5).v(stylobate).z();
    svg.fill(&door, p.dark);
    let (mut columns, mut fluting) = (Path::new(), Path::new());
    for i in 0..cols {
        let x = left + 30.0 + i as f64 * (col_w + gap);
        columns.rect(x, col_top + 14.0, col_w, col_h - 26.0);
        columns.rect(x - 5.0, col_top, col_w + 10.0, 14.0).rect(x - 5.0, stylobate - 12.0, col_w + 10.0, 12.0);
        fluting.rect(x + col_w * 0.62, col_top + 14.0, col_w * 0.38, col_h - 26.0);
    }
    svg.fill(&columns, p.paper);
    svg.fill(&fluting, p.light.alpha(0.7));
    svg.rect(left - 6.0, ent_top, portico + 12.0, 46.0, p.paper);
    svg.rect(left - 6.0, ent_top + 20.0, portico + 12.0, 5.0, p.light);
    if pediment {
        let outer = [(left - 14.0, ent_top + 1.0), (cx, ent_top - roof), (right + 14.0, ent_top + 1.0)];
        svg.fill(Path::new().polygon(&outer), p.paper);
        let inner = [(left + 34.0, ent_top - 10.0), (cx, ent_top - roof + 22.0), (right - 34.0, ent_top - 10.0)];
        svg.fill(Path::new().polygon(&inner), p.bg_alt);
    } else {
        svg.rect(left + 10.0, ent_top - roof, portico - 20.0, roof, p.bg_alt);
        svg.rect(left, ent_top - roof - 10.0, portico, 10.0, p.paper);
    }
    for k in 0..3 {
        let grow = 20.0 + 22.0 * k as f64;
        let y = stylobate + 16.0 * k as f64;
        svg.rect(left - grow, y, portico + 2.0 * grow, 16.0, if k % 2 == 0 { p.paper } else { p.bg_alt });
    }
    svg.rect(0.0, ground, W, H - ground, p.light);
    let plaza = [(left - 60.0, ground), (right + 60.0, ground), (right + 220.0, H), (left - 220.0, H)];
    svg.fill(Path::new().polygon(&plaza), p.bg_alt);
    // Round trees frame the building on both sides.
    let (mut crowns, mut trunks, mut highlights) = (Path::new(), Path::new(), Path::new());
    for side in [-1.0, 1.0] {
        let x = cx + side * (portico / 2.0 + wing_w + rng.range(40.0, 90.0));
        let r = rng.range(50.0, 70.0);
        trunks.rect(x - 5.0, ground - 90.0, 10.0, 90.0);
        crowns.circle(x, ground - 90.0 - r * 0.6, r);
        highlights.circle(x - r * 0.25, ground - 90.0 - r * 0.85, r * 0.45);
        for k in 0..3 {
            let bx = cx + side * (portico / 2.0 + 50.0 + k as f64 * (wing_w - 40.0) / 3.0);
            crowns.circle(bx, ground - 4.0, rng.range(22.0, 32.0));
        }
    }
    svg.fill(&trunks, p.ink);
    svg.fill(&crowns, p.dark);
    svg.fill(&highlights, p.paper.alpha(0.12));
}

fn stage(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [215.0, 230.0, 245.0, 260.0, 275.0]);
    let ch = rng.pick([348.0, 355.0, 3.0, 338.0, 326.0, 192.0]) + rng.range(-4.0, 4.0);
    let cloth = Drapery {
        body: hsl(ch, 52.0, 36.0),
        fold: hsl(ch, 55.0, 24.0),
        sheen: hsl(ch, 48.0, 50.0),
        gold: hsl(rng.range(38.0, 46.0), 55.0, 62.0),
    };
    let wood = rng.range(22.0, 34.0);
    svg.rect(0.0, 0.0, W, H, hsl(p.hue, 26.0, 11.0));
    // Faint panels in the back wall give the dark space some depth.
    let mut panels = Path::new();
    for i in (0..20).step_by(2) {
        panels.rect(80.0 * i as f64, 0.0, 80.0, H);
    }
    svg.fill(&panels, hsl(p.hue, 26.0, 14.0));
    let floor = rng.range(640.0, 680.0);
    let apron = H - rng.range(60.0, 80.0);
    svg.rect(0.0, floor, W, H - floor, hsl(wood, 30.0, 22.0));
    // Boards spread out towards the viewer, a cheap perspective cue.
    let mut boards = Path::new();
    for k in 1..7 {
        boards.m(0.0, floor + (apron - floor) * (k as f64 / 7.0).powf(1.5)).h(W);
    }
    svg.stroke(&boards, hsl(wood, 30.0, 16.0), 2.0);
    svg.rect(0.0, apron, W, H - apron, hsl(wood, 28.0, 12.0));

    let spot = (rng.range(560.0, 1040.0), floor + (apron - floor) * rng.range(0.45, 0.6));
    let source = spot.0 + rng.range(-280.0, 280.0);
    for (top, foot, opacity) in [(34.0, 200.0, 0.08), (16.0, 125.0, 0.07)] {
        let beam = [(source - top, -20.0), (source + top, -20.0), (spot.0 + foot, spot.1), (spot.0 - foot, spot.1)];
        svg.fill(Path::new().polygon(&beam), p.paper.alpha(opacity));
    }
    svg.ellipse(spot.0, spot.1, 210.0, 44.0, p.paper.alpha(0.16));
    svg.ellipse(spot.0, spot.1, 135.0, 27.0, p.paper.alpha(0.16));
    let silhouette = hsl(p.hue, 30.0, 7.0);
    if rng.chance(0.7) {
        performer(svg, spot, rng.range(230.0, 270.0), silhouette);
    } else {
        let mut stand = Path::new();
        stand.m(spot.0 - 34.0, spot.1).l(spot.0, spot.1 - 30.0).l(spot.0 + 34.0, spot.1);
        stand.m(spot.0, spot.1 - 30.0).v(spot.1 - 190.0).l(spot.0 + 32.0, spot.1 - 214.0);
        svg.stroke(&stand, silhouette, 7.0);
        svg.fill(Path::new().pill(spot.0 + 26.0, spot.1 - 232.0, 44.0, 22.0), silhouette);
    }
    let mut lamps = Path::new();
    let mut x = 60.0;
    while x < W {
        lamps.m(x - 22.0, apron).arc(22.0, 10.0, false, true, x + 22.0, apron).z();
        x += 120.0;
    }
    svg.fill(&lamps, cloth.gold.alpha(0.8));
    drape(svg, rng, false, cloth);
    drape(svg, rng, true, cloth);
    valance(svg, rng, cloth);
    if rng.chance(0.55) {
        // Heads and shoulders of the front row, the clearest "theatre" cue.
        let mut crowd = Path::new();
        let mut x = rng.range(-40.0, 20.0);
        while x < W + 60.0 {
            let r = rng.range(24.0, 32.0);
            crowd.circle(x, H - rng.range(44.0, 58.0), r).circle(x, H + r * 0.9, r * 2.0);
            x += r * 2.6 + rng.range(0.0, 20.0);
        }
        svg.fill(&crowd, hsl(p.hue, 30.0, 5.0));
    }
}

/// Colours of the stage curtains.
#[derive(Clone, Copy)]
struct Drapery {
    body: Hsl,
    fold: Hsl,
    sheen: Hsl,
    gold: Hsl,
}

/// A singer with a microphone, as a flat silhouette standing on `foot`.
fn performer(svg: &mut Svg, foot: Pt, h: f64, colour: Hsl) {
    let (x, y) = foot;
    svg.ellipse(x + 40.0, y + 4.0, 70.0, 12.0, colour.alpha(0.5));
    let mut limbs = Path::new();
    limbs.m(x - h * 0.045, y - h * 0.42).l(x - h * 0.07, y).m(x + h * 0.045, y - h * 0.42).l(x + h * 0.08, y);
    limbs.m(x - h * 0.1, y - h * 0.74).l(x - h * 0.17, y - h * 0.5);
    limbs.m(x + h * 0.1, y - h * 0.74).l(x + h * 0.19, y - h * 0.6).l(x + h * 0.07, y - h * 0.8);
    svg.stroke(&limbs, colour, h * 0.065);
    let mut body = Path::new();
    body.m(x - h * 0.12, y - h * 0.73).q(x - h * 0.12, y - h * 0.79, x - h * 0.06, y - h * 0.79).h(x + h * 0.06);
    body.q(x + h * 0.12, y - h * 0.79, x + h * 0.12, y - h * 0.73).l(x + h * 0.1, y - h * 0.4).h(x - h * 0.1).z();
    body.circle(x, y - h * 0.89, h * 0.075).circle(x + h * 0.07, y - h * 0.82, h * 0.025);
    svg.fill(&body, colour);
}

/// One side curtain, gathered by a gold tie-back.
fn drape(svg: &mut Svg, rng: &mut Rng, right: bool, cloth: Drapery) {
    let top_w = rng.range(290.0, 360.0);
    let tie = (rng.range(110.0, 150.0), rng.range(470.0, 550.0));
    let foot = rng.range(230.0, 300.0);
    let fx = |x: f64| if right { W - x } else { x };
    let mut d = Path::new();
    d.m(fx(-10.0), -10.0).h(fx(top_w));
    d.c(fx(top_w), tie.1 * 0.45, fx(tie.0 + 40.0), tie.1 * 0.8, fx(tie.0), tie.1);
    d.c(fx(tie.0 + 25.0), tie.1 + 90.0, fx(foot - 30.0), H - 140.0, fx(foot), H + 10.0);
    d.h(fx(-10.0)).z();
    svg.fill(&d, cloth.body);
    let (mut folds, mut sheen) = (Path::new(), Path::new());
    for k in 1..=4 {
        for (path, t) in [(&mut folds, k as f64 / 5.0), (&mut sheen, k as f64 / 5.0 + 0.08)] {
            let pts = [
                (t * top_w, -10.0),
                (t * (top_w * 0.55 + tie.0 * 0.45), tie.1 * 0.5),
                (t * tie.0, tie.1),
                (t * (tie.0 * 0.4 + foot * 0.6), tie.1 + (H - tie.1) * 0.45),
                (t * foot, H + 10.0),
            ]
            .map(|(x, y)| (fx(x), y));
            path.smooth(&pts, false);
        }
    }
    svg.stroke(&folds, cloth.fold.alpha(0.6), 14.0);
    svg.stroke(&sheen, cloth.sheen.alpha(0.35), 6.0);
    let (a, b) = (fx(-10.0), fx(tie.0 + 10.0));
    svg.round_rect(a.min(b), tie.1 - 10.0, (a - b).abs(), 20.0, 10.0, cloth.gold);
    svg.circle(b, tie.1 + 16.0, 11.0, cloth.gold);
    svg.rect(b - 5.0, tie.1 + 20.0, 10.0, 34.0, cloth.gold);
}

/// The pelmet across the top: a band with scalloped swags and gold fringe.
fn valance(svg: &mut Svg, rng: &mut Rng, cloth: Drapery) {
    let depth_top = rng.range(70.0, 95.0);
    let swags = rng.int(5, 7);
    let sw = W / swags as f64;
    let sag = rng.range(40.0, 60.0);
    let (mut band, mut fringe, mut inner) = (Path::new(), Path::new(), Path::new());
    band.rect(-10.0, -10.0, W + 20.0, depth_top + 10.0);
    for i in 0..swags {
        let x = sw * i as f64;
        band.m(x, depth_top - 1.0).arc(sw / 2.0, sag, false, false, x + sw, depth_top - 1.0).z();
        fringe.m(x, depth_top).arc(sw / 2.0, sag, false, false, x + sw, depth_top);
        inner.m(x + sw * 0.2, depth_top).arc(sw * 0.3, sag * 0.55, false, false, x + sw * 0.8, depth_top);
    }
    svg.fill(&band, cloth.body);
    svg.stroke(&inner, cloth.fold.alpha(0.6), 6.0);
    svg.stroke(&fringe, cloth.gold, 7.0);
}

fn leaf(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [20.0, 32.0, 45.0, 60.0, 150.0, 200.0, 340.0]);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let autumn = rng.chance(0.25);
    let lh = if autumn { rng.range(18.0, 38.0) } else { rng.range(88.0, 140.0) };
    let c = (rng.range(650.0, 950.0), rng.range(430.0, 470.0));
    svg.circle(c.0, c.1, rng.range(330.0, 390.0), p.bg_alt);
    svg.ring(c.0, c.1, rng.range(410.0, 440.0), p.light.alpha(0.7), 2.0);
    let (body, shade, vein) = (hsl(lh, 40.0, 40.0), hsl(lh, 42.0, 32.0), hsl(lh, 35.0, 72.0));
    let angle = rng.range(-40.0, 40.0);
    let len = rng.range(540.0, 620.0);
    // Every leaf grows from one node, so the group reads as a sprig rather than scattered shapes.
    let node = rotate((c.0, c.1 + len * 0.5), c, angle);
    let stem_end = rotate((c.0 + rng.range(-40.0, 40.0), c.1 + len * 0.78), c, angle);
    let bend = rotate((c.0 + rng.range(-30.0, 30.0), c.1 + len * 0.64), c, angle);
    svg.stroke(Path::new().m(node.0, node.1).q(bend.0, bend.1, stem_end.0, stem_end.1), shade, len * 0.02);
    for side in [-1.0, 1.0] {
        if rng.chance(0.8) {
            let a = angle + side * rng.range(42.0, 62.0);
            let tone = hsl(lh + rng.range(-10.0, 14.0), 30.0, rng.range(54.0, 62.0));
            let l = len * rng.range(0.55, 0.68);
            draw_leaf(svg, rng, node, l, a, (tone, hsl(lh, 32.0, 46.0), hsl(lh, 30.0, 80.0)));
        }
    }
    draw_leaf(svg, rng, node, len, angle, (body, shade, vein));
    if rng.chance(0.6) {
        // A sprig of berries adds the single accent colour.
        let base = (c.0 + rng.sign() * rng.range(330.0, 420.0), c.1 + rng.range(120.0, 220.0));
        let mut twig = Path::new();
        let mut berries = Vec::new();
        for k in 0..3 {
            let a = (-90.0 + (k as f64 - 1.0) * 35.0 + rng.range(-8.0, 8.0)).to_radians();
            let l = rng.range(90.0, 150.0);
            let tip = (base.0 + l * a.cos(), base.1 + l * a.sin());
            twig.m(base.0, base.1).q(base.0, base.1 - l * 0.5, tip.0, tip.1);
            berries.push(tip);
        }
        svg.stroke(&twig, shade, 5.0);
        for (x, y) in berries {
            svg.circle(x, y, 17.0, p.accent);
            svg.circle(x - 5.0, y - 5.0, 5.0, p.paper.alpha(0.5));
        }
    }
}

/// One leaf growing from `node` at `angle`: two-tone blade, midrib and paired veins.
/// `colours` are the blade, its shaded half and the veins.
fn draw_leaf(svg: &mut Svg, rng: &mut Rng, node: Pt, len: f64, angle: f64, colours: (Hsl, Hsl, Hsl)) {
    let (body, shade, vein) = colours;
    let w = len * rng.range(0.2, 0.27);
    let (lean_l, lean_r) = (rng.range(0.95, 1.1), rng.range(0.95, 1.1));
    svg.put(format_args!(r#"<g transform="translate({} {}) rotate({})">"#, N(node.0), N(node.1), N(angle)));
    let mut right = Path::new();
    right.m(0.0, 0.0).c(w * lean_r * 1.1, -len * 0.12, w * lean_r, -len * 0.62, 0.0, -len);
    let mut blade = Path::new();
    blade.0.push_str(&right.0);
    blade.c(-w * lean_l, -len * 0.62, -w * lean_l * 1.1, -len * 0.12, 0.0, 0.0).z();
    svg.fill(&blade, body);
    svg.fill(right.z(), shade);
    let mut veins = Path::new();
    veins.m(0.0, 0.0).v(-len * 0.94);
    for k in 1..=6 {
        let f = k as f64 / 7.5;
        let y = -f * len;
        let reach = w * 0.78 * (4.0 * f * (1.0 - f)).powf(0.7);
        for s in [-1.0, 1.0] {
            veins.m(0.0, y).q(s * reach * 0.5, y - len * 0.04, s * reach, y - len * 0.11);
        }
    }
    svg.stroke(&veins, vein.alpha(0.85), len * 0.01);
    svg.close();
}

fn orbit(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [215.0, 230.0, 245.0, 260.0, 275.0]);
    svg.rect(0.0, 0.0, W, H, hsl(p.hue, 40.0, 11.0));
    stars(svg, rng, 54, p.paper);
    let c = (rng.range(640.0, 960.0), rng.range(420.0, 480.0));
    let r = rng.range(150.0, 190.0);
    let tilt = rng.range(8.0, 22.0) * rng.sign();
    let flat = rng.range(0.26, 0.34);
    let planet = hsl(p.accent.h, 45.0, 62.0);
    svg.circle(c.0, c.1, r * 1.5, planet.alpha(0.05));
    svg.circle(c.0, c.1, r * 1.2, planet.alpha(0.07));
    let orbits: Vec<f64> = (0..rng.int(2, 3)).map(|k| r * (1.7 + 0.6 * k as f64) + rng.range(-10.0, 10.0)).collect();
    let moon_colours = [p.light, p.accent_soft, p.bg_alt, p.mid];
    let moons: Vec<(Pt, f64, Hsl)> = orbits
        .iter()
        .enumerate()
        .map(|(k, &rx)| {
            let a = rng.range(0.0, TAU);
            let at = rotate((c.0 + rx * a.cos(), c.1 + rx * flat * a.sin()), c, tilt);
            (at, rng.range(12.0, 20.0) + 7.0 * k as f64, moon_colours[k % moon_colours.len()])
        })
        .collect();
    let ring = rng.chance(0.45).then(|| r * rng.range(1.3, 1.42));
    // Orbits are split into halves so the far half passes behind the planet and the near half in front.
    let draw_halves = |svg: &mut Svg, front: bool| {
        svg.open_rotated(tilt, c);
        let mut d = Path::new();
        for &rx in &orbits {
            let (from, to) = if front { (c.0 + rx, c.0 - rx) } else { (c.0 - rx, c.0 + rx) };
            d.m(from, c.1).arc(rx, rx * flat, false, true, to, c.1);
        }
        svg.stroke(&d, p.paper.alpha(0.35), 2.5);
        if let Some(rx) = ring {
            let (from, to) = if front { (c.0 + rx, c.0 - rx) } else { (c.0 - rx, c.0 + rx) };
            svg.stroke(
                Path::new().m(from, c.1).arc(rx, rx * flat, false, true, to, c.1),
                p.accent_soft.alpha(0.7),
                r * 0.12,
            );
        }
        svg.close();
        for &(at, mr, colour) in &moons {
            // A moon is in front when it sits below the orbit's major axis.
            let local = rotate(at, c, -tilt);
            if (local.1 > c.1) == front {
                svg.circle(at.0, at.1, mr, colour);
                svg.fill(Path::new().crescent(at.0, at.1, mr, at.0 - c.0, at.1 - c.1), p.ink.alpha(0.35));
            }
        }
    };
    draw_halves(svg, false);
    let clip = svg.clip_circle(c.0, c.1, r);
    svg.circle(c.0, c.1, r, planet);
    svg.open_clipped(&clip);
    svg.open_rotated(tilt, c);
    let mut bands = Path::new();
    let mut pale = Path::new();
    let mut y = c.1 - r;
    while y < c.1 + r {
        let h = rng.range(14.0, 46.0);
        if rng.chance(0.5) {
            bands.rect(c.0 - r, y, 2.0 * r, h);
        } else {
            pale.rect(c.0 - r, y, 2.0 * r, h * 0.6);
        }
        y += h + rng.range(16.0, 40.0);
    }
    svg.fill(&bands, hsl(p.accent.h + 8.0, 42.0, 52.0).alpha(0.7));
    svg.fill(&pale, hsl(p.accent.h - 6.0, 50.0, 76.0).alpha(0.6));
    svg.close();
    svg.close();
    svg.fill(Path::new().crescent(c.0, c.1, r, -r * 0.35, -r * 0.3), p.ink.alpha(0.35));
    draw_halves(svg, true);
}

fn map(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, [28.0, 38.0, 45.0, 55.0, 150.0]);
    svg.rect(0.0, 0.0, W, H, p.bg);
    let water = hsl(rng.range(195.0, 212.0), 42.0, 76.0);
    let park = hsl(rng.range(95.0, 130.0), 28.0, 74.0);
    // Pins read best in a warm red-orange, whatever the accent of the palette is.
    let pin_colour = p.glow;
    let centre = (W / 2.0, H / 2.0);
    let angle = rng.range(-24.0, 24.0);
    let street_lines = |rng: &mut Rng, from: f64, to: f64, steps: (f64, f64)| {
        let mut v = vec![from];
        let mut x = from;
        while x < to {
            x += rng.range(steps.0, steps.1);
            v.push(x);
        }
        v
    };
    let xs = street_lines(rng, -500.0, 2100.0, (110.0, 190.0));
    let ys = street_lines(rng, -500.0, 1400.0, (100.0, 170.0));
    // Screen-space targets snap to the nearest intersection of the rotated grid.
    let snap = |target: Pt| -> Pt {
        let local = rotate(target, centre, -angle);
        (nearest(&xs, local.0), nearest(&ys, local.1))
    };
    let on_canvas = |pt: Pt| {
        let q = rotate(pt, centre, angle);
        (-150.0..W + 150.0).contains(&q.0) && (-150.0..H + 150.0).contains(&q.1)
    };
    svg.open_rotated(angle, centre);
    // City blocks: building footprints on a share of the visible cells.
    let (mut blocks, mut parks) = (Path::new(), Path::new());
    for (cols, rows) in xs.windows(2).flat_map(|a| ys.windows(2).map(move |b| (a, b))) {
        let (x, y, w, h) = (cols[0], rows[0], cols[1] - cols[0], rows[1] - rows[0]);
        if !on_canvas((x + w / 2.0, y + h / 2.0)) {
            continue;
        }
        match rng.int(0, 19) {
            0..=8 => {
                blocks.rect(x + 16.0, y + 16.0, w - 32.0, h - 32.0);
            }
            9 => {
                parks.rect(x + 12.0, y + 12.0, w - 24.0, h - 24.0);
            }
            _ => {}
        }
    }
    svg.fill(&blocks, p.bg_alt);
    let mut streets = Path::new();
    for &x in &xs {
        streets.m(x, -600.0).v(1500.0);
    }
    for &y in &ys {
        streets.m(-600.0, y).h(2200.0);
    }
    svg.stroke(&streets, p.paper, 12.0);
    svg.fill(&parks, park);
    let (px, py) = snap((rng.range(400.0, 1200.0), rng.range(250.0, 650.0)));
    let big = rng.range(20.0, 26.0);
    let mut arteries = Path::new();
    arteries.m(px, -600.0).v(1500.0).m(-600.0, py).h(2200.0);
    if rng.chance(0.6) {
        arteries.m(-600.0, rng.range(-200.0, 500.0)).l(2200.0, rng.range(400.0, 1100.0));
    }
    svg.close();
    // The river runs at its own angle, so it crosses the grid the way real rivers do.
    let (from, to) = (rng.range(120.0, 780.0), rng.range(120.0, 780.0));
    let river: Vec<Pt> =
        (0..=6).map(|k| (-100.0 + 300.0 * k as f64, lerp(from, to, k as f64 / 6.0) + rng.range(-60.0, 60.0))).collect();
    svg.stroke(Path::new().smooth(&river, false), water, rng.range(70.0, 110.0));
    svg.open_rotated(angle, centre);
    svg.stroke(&arteries, p.light, big + 10.0);
    svg.stroke(&arteries, p.paper, big);

    let flip = rng.sign();
    let start = snap((centre.0 - flip * rng.range(250.0, 450.0), rng.range(560.0, 720.0)));
    let end = snap((centre.0 + flip * rng.range(150.0, 400.0), rng.range(300.0, 480.0)));
    let mut route = Path::new();
    route.m(start.0, start.1).h(end.0).v(end.1);
    svg.stroke(&route, p.paper, 22.0);
    svg.stroke(&route, pin_colour, 10.0);
    svg.close();
    let (s, e) = (rotate(start, centre, angle), rotate(end, centre, angle));
    svg.circle(s.0, s.1, 17.0, p.paper);
    svg.circle(s.0, s.1, 9.0, p.ink);
    svg.ellipse(e.0, e.1, 52.0, 18.0, pin_colour.alpha(0.25));
    svg.ellipse(e.0 + 6.0, e.1, 22.0, 8.0, p.ink.alpha(0.3));
    // Teardrop pin: a circle joined to the tip by its two tangents.
    let (r, d): (f64, f64) = (46.0, 92.0);
    let g = (r / d).acos();
    let (tx, ty) = (r * g.sin(), -d + r * g.cos());
    let mut pin = Path::new();
    pin.m(e.0, e.1).l(e.0 - tx, e.1 + ty).arc(r, r, true, true, e.0 + tx, e.1 + ty).z();
    svg.fill(&pin, pin_colour);
    svg.circle(e.0, e.1 - d, r * 0.42, p.paper);
}

/// The value in `grid` closest to `t`.
fn nearest(grid: &[f64], t: f64) -> f64 {
    grid.iter().copied().min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs())).unwrap_or(t)
}

fn abstract_composition(svg: &mut Svg, rng: &mut Rng) {
    let p = Palette::new(rng, ANY_HUES);
    svg.rect(0.0, 0.0, W, H, p.bg);
    // A Bauhaus-style tile grid: each cell holds one bold primitive, which reads as designed
    // rather than random because every shape snaps to the same module.
    let cols = rng.pick([6usize, 7, 8]);
    let s = W / cols as f64;
    let rows = (H / s).ceil() as usize;
    let y0 = (H - rows as f64 * s) / 2.0;
    let grounds = [p.bg, p.bg, p.bg_alt, p.light, p.paper, p.mid, p.dark];
    let figures = [p.accent, p.dark, p.mid, p.ink, p.accent_soft, p.paper, p.light];
    for row in 0..rows {
        for col in 0..cols {
            let (x, y) = (col as f64 * s, y0 + row as f64 * s);
            let ground = grounds[rng.int(0, grounds.len() - 1)];
            let mut figure = figures[rng.int(0, figures.len() - 1)];
            if figure == ground {
                figure = p.ink;
            }
            if ground != p.bg {
                svg.rect(x, y, s + 0.5, s + 0.5, ground);
            }
            let mut d = Path::new();
            match rng.int(0, 6) {
                0 => {
                    d.circle(x + s / 2.0, y + s / 2.0, s * 0.38);
                }
                1 => {
                    let (dx, dy) = (rng.sign(), rng.sign());
                    let corner = (x + if dx > 0.0 { 0.0 } else { s }, y + if dy > 0.0 { 0.0 } else { s });
                    d.m(corner.0, corner.1).h(corner.0 + dx * s);
                    d.arc(s, s, false, dx * dy > 0.0, corner.0, corner.1 + dy * s).z();
                }
                2 => {
                    if rng.chance(0.5) {
                        d.m(x, y + s).arc(s / 2.0, s / 2.0, false, true, x + s, y + s).z();
                    } else {
                        d.m(x, y).arc(s / 2.0, s / 2.0, false, true, x, y + s).z();
                    }
                }
                3 => {
                    d.polygon(&[(x, y + s), (x + s, y + s), if rng.chance(0.5) { (x, y) } else { (x + s, y) }]);
                }
                4 => {
                    for k in 0..3 {
                        d.rect(x + s * (0.1 + 0.3 * k as f64), y + s * 0.1, s * 0.18, s * 0.8);
                    }
                }
                5 => {
                    svg.ring(x + s / 2.0, y + s / 2.0, s * 0.3, figure, s * 0.12);
                    d.circle(x + s / 2.0, y + s / 2.0, s * 0.08);
                }
                _ => {
                    for k in 0..9 {
                        d.circle(
                            x + s * (0.25 + 0.25 * (k % 3) as f64),
                            y + s * (0.25 + 0.25 * (k / 3) as f64),
                            s * 0.05,
                        );
                    }
                }
            }
            svg.fill(&d, figure);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every motif, and one unknown name for the fallback.
    const MOTIFS: [&str; 13] = [
        super::MOTIFS[0],
        super::MOTIFS[1],
        super::MOTIFS[2],
        super::MOTIFS[3],
        super::MOTIFS[4],
        super::MOTIFS[5],
        super::MOTIFS[6],
        super::MOTIFS[7],
        super::MOTIFS[8],
        super::MOTIFS[9],
        super::MOTIFS[10],
        super::MOTIFS[11],
        "no-such-motif",
    ];

    /// Checks that tags balance, quotes pair up inside tags and every `&` starts an entity.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg"), "must start with <svg: {}", &svg[..svg.len().min(40)]);
        assert!(svg.ends_with("</svg>"), "must end with </svg>");
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(open) = rest.find('<') {
            assert!(!rest[..open].contains('>'), "stray '>' in text");
            assert_entities(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else { panic!("unterminated tag") };
            let tag = &after[..close];
            assert!(!tag.contains('<'), "'<' inside tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            assert_entities(tag);
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name.trim()), "mismatched closing tag");
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().unwrap_or_default());
            }
            if stack.is_empty() {
                assert!(after[close + 1..].is_empty(), "content after the root element");
            }
            rest = &after[close + 1..];
        }
        assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    }

    fn assert_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let tail = &text[i + 1..];
            assert!(["amp;", "lt;", "gt;", "quot;", "apos;"].iter().any(|e| tail.starts_with(e)), "bare '&' in {text}");
        }
    }

    /// True if any number in `svg` has more than one decimal.
    fn has_long_decimal(svg: &str) -> bool {
        let b = svg.as_bytes();
        b.windows(4).any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit() && w[3].is_ascii_digit())
    }

    #[test]
    fn every_motif_is_well_formed_svg() {
        for motif in MOTIFS {
            for seed in 0..40 {
                let svg = lead_illustration(motif, seed);
                assert_well_formed(&svg);
                assert!(svg.starts_with(
                    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1600 900" width="1600" height="900">"#
                ));
                assert!(!has_long_decimal(&svg), "{motif}/{seed} has a long decimal");
                for banned in ["<text", "<script", "foreignObject", "@import", "href", "NaN", "inf"] {
                    assert!(!svg.contains(banned), "{motif}/{seed} contains {banned}");
                }
            }
        }
    }

    #[test]
    fn every_motif_stays_under_the_size_budget() {
        for motif in MOTIFS {
            for seed in 0..300 {
                let len = lead_illustration(motif, seed).len();
                assert!(len < 12 * 1024, "{motif}/{seed} is {len} bytes");
            }
        }
    }

    #[test]
    fn same_seed_gives_same_picture() {
        for motif in MOTIFS {
            assert_eq!(lead_illustration(motif, 42), lead_illustration(motif, 42));
        }
        assert_eq!(avatar("AB", 9), avatar("AB", 9));
    }

    #[test]
    fn different_seeds_give_different_pictures() {
        for motif in MOTIFS {
            let mut seen: Vec<String> = (0..10).map(|seed| lead_illustration(motif, seed)).collect();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), 10, "{motif} repeats a picture");
        }
        assert_ne!(avatar("AB", 1), avatar("AB", 2));
    }

    #[test]
    fn motif_names_are_normalised_and_unknown_ones_fall_back() {
        assert_eq!(lead_illustration(" Globe ", 5), lead_illustration("globe", 5));
        assert_ne!(lead_illustration("globe", 5), lead_illustration("waves", 5));
        assert_well_formed(&lead_illustration("", 5));
    }

    #[test]
    fn avatar_escapes_initials_and_is_square() {
        let svg = avatar("<&", 3);
        assert_well_formed(&svg);
        assert!(svg.contains(">&lt;&amp;</text>"), "{svg}");
        assert!(svg.contains(r#"viewBox="0 0 256 256" width="256" height="256""#));
        assert!(avatar(r#"a"'"#, 3).contains("A&quot;&apos;"));
        assert!(avatar("jd", 3).contains(">JD</text>"));
        let blank = avatar("  ", 3);
        assert_well_formed(&blank);
        assert!(!blank.contains("<text"));
    }

    #[test]
    fn seed_from_is_fnv1a() {
        assert_eq!(seed_from(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(seed_from("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(seed_from("foobar"), 0x8594_4171_f739_67e8);
        assert_ne!(seed_from("my-article"), seed_from("my-articles"));
    }

    #[test]
    fn numbers_are_compact() {
        let fmt = |v: f64| N(v).to_string();
        assert_eq!(fmt(12.0), "12");
        assert_eq!(fmt(12.34), "12.3");
        assert_eq!(fmt(-0.04), "0");
        assert_eq!(fmt(-2.56), "-2.6");
        assert_eq!(fmt(0.3), "0.3");
    }
}
