import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { t } from '@/core/i18n';

/** One line or bar series of a chart; null where there is nothing to measure. */
export interface ChartSeries {
  label: string;
  values: ReadonlyArray<number | null>;
  bars?: boolean;
  /** A second y axis, on the right, for a series counted in other units (turns beside minutes). */
  right?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the rows are: "Day" or "Week of". */
  rowHeader: string;
  labels: readonly string[];
  series: readonly ChartSeries[];
}

const HEIGHT = 170;
/** Series colours: CSS variables of the panel (features/progress/progress.css), light and dark. */
const COLOURS = ['--chart-1', '--chart-2', '--chart-3', '--chart-4'];

const dark = () => window.matchMedia?.('(prefers-color-scheme: dark)');

/** Whether this page can draw on a canvas (the unit tests' DOM cannot: there the table alone is shown). */
function canDraw(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

function optionsOf(spec: ChartSpec, width: number, style: CSSStyleDeclaration): uPlot.Options {
  const colour = (name: string) => style.getPropertyValue(name).trim() || 'currentColor';
  const axisColour = colour('--chart-axis');
  const gridColour = colour('--chart-grid');
  const font = `12px ${style.fontFamily || 'system-ui'}`;
  const axis = (scale: string, side: 0 | 1 | 2 | 3): uPlot.Axis => ({
    scale,
    side,
    stroke: axisColour,
    font,
    grid: { show: side === 3, stroke: gridColour, width: 1 },
    ticks: { stroke: gridColour, width: 1 },
    size: 40,
  });
  const hasRight = spec.series.some((series) => series.right);
  return {
    width,
    height: HEIGHT,
    // Index positions, labelled with the panel's own dates: no time zone guesswork in uPlot.
    scales: {
      x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      right: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [
      {
        stroke: axisColour,
        font,
        grid: { show: false },
        ticks: { stroke: gridColour, width: 1 },
        splits: (_u, _axis, min, max) => {
          const first = Math.ceil(min);
          const step = Math.max(1, Math.ceil((Math.floor(max) - first + 1) / 6));
          const splits: number[] = [];
          for (let i = first; i <= max; i += step) splits.push(i);
          return splits;
        },
        values: (_u, splits) => splits.map((i) => spec.labels[i] ?? ''),
      },
      axis('y', 3),
      ...(hasRight ? [axis('right', 1)] : []),
    ],
    legend: { show: true, live: false },
    cursor: { show: false },
    series: [
      { label: spec.rowHeader },
      ...spec.series.map((series, index): uPlot.Series => {
        const stroke = colour(COLOURS[index % COLOURS.length]!);
        return {
          label: series.label,
          scale: series.right ? 'right' : 'y',
          stroke,
          width: 2,
          spanGaps: true,
          ...(series.bars
            ? { fill: stroke, paths: uPlot.paths.bars!({ size: [0.6, 28] }), points: { show: false } }
            : { points: { show: true, size: 6, fill: stroke } }),
        };
      }),
    ],
  };
}

function Plot({ spec }: { spec: ChartSpec }) {
  const box = useRef<HTMLDivElement>(null);
  // A change of colour scheme re-draws with that scheme's colours.
  const [scheme, setScheme] = useState(() => (dark()?.matches ? 'dark' : 'light'));
  useEffect(() => {
    const query = dark();
    if (!query) return;
    const changed = () => setScheme(query.matches ? 'dark' : 'light');
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);
  useEffect(() => {
    const element = box.current;
    if (!element || !canDraw()) return;
    const data: uPlot.AlignedData = [
      spec.labels.map((_label, index) => index),
      ...spec.series.map((series) => series.values.map((value) => value)),
    ];
    const width = () => Math.max(200, Math.floor(element.clientWidth));
    const plot = new uPlot(optionsOf(spec, width(), getComputedStyle(element)), data, element);
    // The side panel's width is the learner's to drag: the canvas follows it.
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [spec, scheme]);
  // The canvas repeats the table's numbers, which screen readers get from the table instead.
  return <div class="progress-plot" ref={box} aria-hidden="true" />;
}

function formatted(value: number | null): string {
  return value === null ? t('progress.noValue') : String(value);
}

export function ChartTable({ spec }: { spec: ChartSpec }) {
  return (
    <table class="progress-table">
      <caption>{spec.title}</caption>
      <thead>
        <tr>
          <th scope="col">{spec.rowHeader}</th>
          {spec.series.map((series) => (
            <th scope="col" key={series.label}>
              {series.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {spec.labels.map((label, row) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            {spec.series.map((series) => (
              <td key={series.label}>{formatted(series.values[row] ?? null)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A chart with its numbers behind "Show as table" (for screen readers, and anyone who wants the figures). */
export function ProgressChart({ spec }: { spec: ChartSpec }) {
  const [asTable, setAsTable] = useState(false);
  const headingId = `progress-${spec.id}-heading`;
  return (
    <section class="progress-chart" aria-labelledby={headingId}>
      <div class="progress-chart-top">
        <h3 id={headingId}>{spec.title}</h3>
        <button type="button" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
          {t('progress.showTable')}
        </button>
      </div>
      {asTable ? <ChartTable spec={spec} /> : <Plot spec={spec} />}
    </section>
  );
}
