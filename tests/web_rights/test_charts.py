"""The inline SVG charts: shapes where the numbers say, text escaped, a title and description."""

from web.charts import Bar, Segment, alignment_svg, bar_chart_svg


def test_a_straight_copy_is_a_diagonal_segment_with_a_description():
    svg = alignment_svg([Segment(0.0, 0.0, 10.0, "<Harbour>")], title="Alignment")
    assert 'x1="48.0" y1="252.0" x2="432.0" y2="48.0"' in svg
    assert "&lt;Harbour&gt;" in svg and "<Harbour>" not in svg
    assert "query 0.0-10.0 s matches reference 0.0-10.0 s" in svg


def test_bars_scale_to_the_largest_and_mark_the_current_period():
    svg = bar_chart_svg(
        [Bar("Jan", 100, "EUR 1.00"), Bar("Feb", 50, "EUR 0.50", current=True)], title="Per period"
    )
    assert 'height="204.0"' in svg and 'height="102.0"' in svg
    assert svg.count('fill="currentColor"') == 1
    assert "Jan: EUR 1.00; Feb: EUR 0.50" in svg


def test_empty_charts_still_say_what_they_show():
    assert "no matched stretch" in alignment_svg([], title="A")
    assert "no statement" in bar_chart_svg([], title="B")
