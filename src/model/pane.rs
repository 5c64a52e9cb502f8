//! The panes of the screen and what a click hit inside one.

/// The panes Tab moves between, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Lanes,
    Phases,
    Probes,
    Signoff,
    Activity,
}

impl Pane {
    pub const ORDER: [Pane; 5] = [
        Pane::Lanes,
        Pane::Phases,
        Pane::Probes,
        Pane::Signoff,
        Pane::Activity,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Lanes => "Lanes",
            Pane::Phases => "Phases",
            Pane::Probes => "Probes",
            Pane::Signoff => "Sign-off",
            Pane::Activity => "Activity",
        }
    }
}

/// What a click hit inside a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// A lane, phase or probe, by index.
    Row(usize),
    /// A sign-off grid cell (item row, role column).
    Cell { row: usize, col: usize },
}
