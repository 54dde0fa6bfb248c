import { useEffect, useRef } from 'react';
import { Box } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './chart-data';

const HEIGHT = 240;
/** Whole numbers only on the count axis (uPlot's default steps include fractions). */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];

const AXIS = 'neutral600';
const GRID = 'neutral150';

/**
 * A line chart of counts per day (uPlot, on a canvas), as wide as its container; the legend under it shows the
 * values of the day under the cursor. `colors` are Design System colour names (primary600…), one per series: the
 * canvas takes them from hidden Design System boxes, so they are the current theme's (light or dark) on both majors.
 */
export function LineChart({ data, colors, label, dayLabel, testId }: { data: ChartData; colors: string[]; label: string; dayLabel: string; testId: string }) {
  const container = useRef<HTMLDivElement>(null);
  const swatches = useRef<HTMLDivElement>(null);
  const { formatDate, formatNumber } = useIntl();
  const names = [AXIS, GRID, ...colors];

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const color = (name: string) => {
      const swatch = swatches.current?.querySelector(`[data-color="${name}"]`);
      return swatch ? getComputedStyle(swatch).color : name;
    };
    const day = (seconds: number) => formatDate(seconds * 1000, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    const axisColor = color(AXIS);
    const gridColor = color(GRID);
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
      series: [
        { label: dayLabel, value: (_u, seconds) => (seconds === null ? '–' : day(seconds)) },
        ...data.series.map((series, i) => ({
          label: series.label,
          stroke: color(colors[i % colors.length]),
          width: 2,
          points: { show: true, size: 5 },
          value: (_u: uPlot, count: number | null) => (count === null ? '–' : formatNumber(count)),
        })),
      ],
      axes: [
        { ...axis, values: (_u, splits) => splits.map(day) },
        { ...axis, incrs: COUNT_STEPS, values: (_u, splits) => splits.map((count) => formatNumber(count)) },
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    };
    const chart = new uPlot(options, [data.x, ...data.series.map((series) => series.values)], element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data, colors, dayLabel, formatDate, formatNumber]);

  return (
    <Box color="neutral800">
      <div ref={swatches} hidden>
        {names.map((name) => (
          <Box key={name} color={name} data-color={name} />
        ))}
      </div>
      <div ref={container} role="figure" aria-label={label} data-testid={testId} style={{ width: '100%' }} />
    </Box>
  );
}
