"""Tidy series DataFrames → plotly figures in the house style; pure functions shared by app and exports."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
HIGHLIGHT = "#0072B2"
EU_COLOUR = "#555555"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#1f2933"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=PALETTE,
        xaxis=dict(showgrid=False, linecolor="#9aa5b1", ticks="outside"),
        yaxis=dict(gridcolor="#e4e7eb", zeroline=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        margin=dict(l=60, r=20, t=70, b=80),
        hoverlabel=dict(font_family=FONT),
    )
)


def _year(period: str) -> float:
    """'2023' → 2023.0; quarterly/monthly periods fall between years so the axis stays in time."""
    head, _, tail = str(period).partition("-")
    year = float(head[:4])
    if tail.startswith("Q"):
        return year + (int(tail[1:]) - 1) / 4
    if tail.isdigit():
        return year + (int(tail) - 1) / 12
    return year


def trend_chart(
    df: pd.DataFrame,
    *,
    title: str,
    unit: str,
    source_line: str,
    highlight: str = "BE",
    geo_names: dict[str, str] | None = None,
) -> go.Figure:
    """Lines over time, one per geo; `highlight` drawn thick, EU aggregates grey and dashed; flags as text."""
    geo_names = geo_names or {}
    fig = go.Figure()
    order = sorted(df["geo"].unique(), key=lambda g: (g != highlight, not g.startswith("EU"), g))
    for i, geo in enumerate(order):
        part = df[df["geo"] == geo].sort_values("period")
        x = [_year(p) for p in part["period"]]
        flags = part["obs_flag"].fillna("").tolist()
        is_eu = geo.startswith("EU")
        colour = (
            HIGHLIGHT if geo == highlight else EU_COLOUR if is_eu else PALETTE[1:][i % (len(PALETTE) - 1)]
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=part["value"].tolist(),
                name=geo_names.get(geo, geo),
                mode="lines+markers+text",
                text=flags,
                textposition="top center",
                line=dict(
                    color=colour, width=4 if geo == highlight else 2, dash="dash" if is_eu else "solid"
                ),
                marker=dict(size=8 if geo == highlight else 6),
                customdata=list(zip(part["period"], flags, strict=True)),
                hovertemplate="%{fullData.name}, %{customdata[0]}: %{y}%{customdata[1]}<extra></extra>",
            )
        )
    _time_axis(fig, df["period"])
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title, x=0, xanchor="left"),
        yaxis_title=unit,
        annotations=[_source_annotation(source_line)],
    )
    return fig


def _time_axis(fig: go.Figure, periods: pd.Series) -> None:
    years = [_year(p) for p in periods] or [0.0]
    span = max(years) - min(years)
    fig.update_xaxes(
        tickformat="d", dtick=max(1, math.ceil(span / 10)), range=[min(years) - 0.5, max(years) + 0.5]
    )


def _source_annotation(text: str) -> dict:
    return dict(
        text=text, xref="paper", yref="paper", x=0, y=-0.22, xanchor="left", yanchor="top",
        showarrow=False, font=dict(size=11, color="#52606d"), align="left",
    )  # fmt: skip


def flags_used(df: pd.DataFrame) -> list[str]:
    """Distinct flag codes present in the data, observation flags then confidentiality."""
    obs = sorted({ch for f in df["obs_flag"].dropna() for ch in f})
    conf = sorted(set(df["conf_flag"].dropna()))
    return obs + conf
