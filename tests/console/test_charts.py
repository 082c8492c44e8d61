"""The console's SVG charts: well-formed, accessible, and drawn to scale."""

import xml.etree.ElementTree as ET

from console.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup):
    return ET.fromstring(str(markup))


def test_a_bar_chart_is_well_formed_svg_with_a_title_and_a_description_for_screen_readers():
    svg = parsed(bar_chart([("08", 3), ("09", 1)], chart_id="hours", title="Sign-ins per hour", desc="4 in all."))

    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "hours-title hours-desc"
    assert svg.find(f"{SVG}title").text == "Sign-ins per hour"
    assert svg.find(f"{SVG}title").get("id") == "hours-title"
    assert svg.find(f"{SVG}desc").text == "4 in all."


def test_bar_heights_are_proportional_to_their_values_and_stand_on_the_same_axis():
    svg = parsed(bar_chart([("a", 10), ("b", 5), ("c", 0), ("d", 2.5)], chart_id="c", title="t", desc="d"))

    bars = svg.findall(f"{SVG}rect")
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[0] > 0
    assert [height / heights[0] for height in heights] == [1, 0.5, 0, 0.25]
    bottoms = {round(float(bar.get("y")) + float(bar.get("height")), 1) for bar in bars}
    assert len(bottoms) == 1


def test_each_bar_names_its_label_and_value_on_hover():
    svg = parsed(bar_chart([("<1s", 4)], chart_id="c", title="t", desc="d", unit=" ms"))

    assert svg.find(f"{SVG}rect/{SVG}title").text == "<1s: 4 ms"


def test_the_y_axis_is_labelled_from_zero_to_a_round_maximum():
    svg = parsed(bar_chart([("a", 7), ("b", 3)], chart_id="c", title="t", desc="d"))

    labels = [text.text for text in svg.findall(f"{SVG}text")]
    assert labels[:3] == ["0", "5", "10"]
    assert labels[3:] == ["a", "b"]


def test_an_empty_bar_chart_still_draws_its_axes():
    svg = parsed(bar_chart([], chart_id="c", title="Nothing yet", desc="No data."))

    assert svg.findall(f"{SVG}rect") == []
    assert svg.findall(f"{SVG}line")


def test_a_long_series_labels_only_some_bars_so_the_labels_stay_readable():
    svg = parsed(bar_chart([(f"{hour:02d}", hour) for hour in range(24)], chart_id="c", title="t", desc="d"))

    x_labels = [text.text for text in svg.findall(f"{SVG}text")][3:]
    assert x_labels == ["00", "03", "06", "09", "12", "15", "18", "21"]


def test_text_in_a_chart_is_escaped():
    svg = parsed(bar_chart([("<script>", 1)], chart_id="c", title="A & B", desc='"quoted"'))

    assert svg.find(f"{SVG}title").text == "A & B"
    assert svg.findall(f"{SVG}text")[-1].text == "<script>"


def test_a_line_chart_places_points_by_value_against_a_fixed_maximum():
    svg = parsed(line_chart([("Mon", 100), ("Tue", 50), ("Wed", 0)], chart_id="c", title="t", desc="d", y_max=100))

    ys = [float(dot.get("cy")) for dot in svg.findall(f"{SVG}circle")]
    assert ys[1] - ys[0] == ys[2] - ys[1] > 0
    xs = [float(dot.get("cx")) for dot in svg.findall(f"{SVG}circle")]
    assert xs[1] - xs[0] == xs[2] - xs[1] > 0


def test_a_day_without_data_breaks_the_line_instead_of_bridging_it():
    points = [("Mon", 90), ("Tue", 80), ("Wed", None), ("Thu", 70)]
    svg = parsed(line_chart(points, chart_id="c", title="t", desc="d", y_max=100, unit="%"))

    lines = svg.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 1]
    assert [dot.find(f"{SVG}title").text for dot in svg.findall(f"{SVG}circle")] == ["Mon: 90%", "Tue: 80%", "Thu: 70%"]
    assert "Wed" in [text.text for text in svg.findall(f"{SVG}text")]


def test_a_small_count_axis_has_no_fractional_middle_label():
    svg = parsed(bar_chart([("a", 1), ("b", 4)], chart_id="c", title="t", desc="d"))

    assert [text.text for text in svg.findall(f"{SVG}text")][:2] == ["0", "5"]
