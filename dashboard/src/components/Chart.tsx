// A uPlot chart, loaded on demand (uPlot stays out of the first-load bundle). The same numbers are
// also in a visually hidden table, so screen readers get the data the picture shows.
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { t } from "../i18n";

export interface Series { label: string; values: number[]; color: string; format: (v: number) => string; axis?: "left" | "right" }

export function Chart({ title, labels, x, series, bars = false, id }: {
  title: string; labels: string[]; x: number[]; series: Series[]; bars?: boolean; id?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let plot: uPlot | null = null;
    let gone = false;
    let resize: (() => void) | null = null;
    const el = box.current;
    if (!el || x.length === 0) return;
    void Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([mod]) => {
      if (gone) return;
      const U = mod.default;
      const width = () => Math.max(280, el.clientWidth);
      const opts: uPlot.Options = {
        width: width(), height: 240,
        scales: { x: { time: false } },
        axes: [
          // Whole-number ticks only (each is one bucket), spaced so that labels do not overlap.
          { values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? labels[v] ?? "" : "")), incrs: [1, 2, 5, 7, 10, 14, 30, 60], space: 70, stroke: "#374151", grid: { stroke: "#e5e7eb" } },
          { stroke: "#374151", scale: "left", values: (_u, ticks) => ticks.map((v) => series.find((s) => s.axis !== "right")?.format(v) ?? String(v)), size: 96 },
          ...(series.some((s) => s.axis === "right")
            ? [{ side: 1 as const, scale: "right", stroke: "#374151", grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => series.find((s) => s.axis === "right")!.format(v)), size: 96 }]
            : []),
        ],
        series: [
          { label: t("col_bucket"), value: (_u, v) => labels[v] ?? "" },
          ...series.map((s) => ({
            label: s.label, stroke: s.color, width: 2, scale: s.axis ?? "left", fill: bars ? `${s.color}55` : undefined,
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : s.format(v)),
            paths: bars ? U.paths.bars!({ size: [0.6, 60] }) : undefined,
            points: { show: x.length < 40 },
          })),
        ],
      };
      plot = new U(opts, [x, ...series.map((s) => s.values)], el);
      resize = () => plot?.setSize({ width: width(), height: 240 });
      window.addEventListener("resize", resize);
      el.dataset.ready = "1";
    });
    return () => { gone = true; plot?.destroy(); if (resize) window.removeEventListener("resize", resize); };
  }, [x.length, labels.join("|"), series.map((s) => s.values.join(",")).join(";")]);

  return (
    <figure class="chart" id={id}>
      <figcaption>{title}</figcaption>
      {x.length === 0 ? <p class="muted">{t("no_data")}</p> : <div ref={box} class="chart-box" aria-hidden="true" />}
      {x.length > 0 && (
        <table class="sr-only">
          <caption>{title}</caption>
          <thead><tr><th scope="col">{t("col_bucket")}</th>{series.map((s) => <th scope="col" key={s.label}>{s.label}</th>)}</tr></thead>
          <tbody>{labels.map((l, i) => <tr key={l}><th scope="row">{l}</th>{series.map((s) => <td key={s.label} data-value={s.values[i] ?? 0}>{s.format(s.values[i] ?? 0)}</td>)}</tr>)}</tbody>
        </table>
      )}
    </figure>
  );
}
