"""Views of a strategy comparison: the terminal table, figures, the HTML report, CSV records.

All of them read a :class:`wms.scenario.result.Comparison`; none changes it.
"""

from wms.report.html import figure_data_uri as figure_data_uri
from wms.report.html import render_html as render_html
from wms.report.html import write_html as write_html
from wms.report.kpi_format import KPI_FORMATS as KPI_FORMATS
from wms.report.kpi_format import KpiFormat as KpiFormat
from wms.report.kpi_format import format_cell as format_cell
from wms.report.kpi_format import format_value as format_value
from wms.report.plots import cycle_time_plot as cycle_time_plot
from wms.report.plots import kpi_bars as kpi_bars
from wms.report.plots import pick_heatmap as pick_heatmap
from wms.report.plots import picker_gantt as picker_gantt
from wms.report.plots import route_maps as route_maps
from wms.report.records import write_records as write_records
from wms.report.terminal import kpi_table as kpi_table
from wms.report.terminal import render_terminal as render_terminal
from wms.report.terminal import terminal_report as terminal_report
