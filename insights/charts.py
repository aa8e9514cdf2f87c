"""Server-rendered line charts: SVG coordinates computed here, drawn by a template
(insights/_trend_chart.html) with classes from the stylesheet, so the strict CSP
holds and no script or external library is needed. Every chart has its numbers in a
table beside it."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 600, 240, 68, 16, 36


@dataclass(frozen=True)
class Line:
    css: str
    label: str
    segments: list[str]  # "x,y x,y …" polylines, broken where a week has no value
    dots: list[tuple[float, float]]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_labels: list[tuple[float, str]]
    y_labels: list[tuple[float, str]]


def _y(share: float) -> float:
    return PAD_TOP + (1 - share) * (HEIGHT - PAD_TOP - PAD_BOTTOM)


def line_chart(labels: list[str], series: list[tuple[str, str, list[float | None]]]) -> Chart:
    """Shares in [0, 1] over evenly spaced labels; series are (css, label, values)."""
    count = max(len(labels), 1)
    step = (WIDTH - 2 * PAD_X) / max(count - 1, 1)
    xs = [PAD_X + i * step for i in range(count)]
    lines = []
    for css, label, values in series:
        segments, current, dots = [], [], []
        for x, value in zip(xs, values, strict=False):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{x:.1f},{_y(value):.1f}")
            dots.append((round(x, 1), round(_y(value), 1)))
        if current:
            segments.append(" ".join(current))
        lines.append(Line(css=css, label=label, segments=segments, dots=dots))
    shown = sorted({0, count - 1, (count - 1) // 2}) if labels else []
    return Chart(
        width=WIDTH, height=HEIGHT, lines=lines,
        x_labels=[(round(xs[i], 1), labels[i]) for i in shown],
        y_labels=[(round(_y(v), 1), f"{int(v * 100)} %") for v in (0, 0.5, 1)],
    )  # fmt: skip
