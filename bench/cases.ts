/** The one shape every bench case is written in (bench/results/latest.json, issue 8). */

export interface CaseSide {
  seconds: number;
  itemsPerSecond: number | null;
  peakRssMB: number | null;
}

export interface BenchCase {
  /** engine-10k, mediawiki-native, wordpress-rest-script... */
  name: string;
  items: number;
  ferry: CaseSide;
  peer: CaseSide & { name: string };
  /** Ferry's throughput divided by the peer's. */
  ratio: number | null;
  /** Whether both sides ended as they should (FINISHED, counts right). */
  ok: boolean;
  /** Figures particular to the case (store size, resume time, load...). */
  extra: Record<string, unknown>;
}

export function ratioOf(ferry: CaseSide, peer: CaseSide): number | null {
  return ferry.itemsPerSecond && peer.itemsPerSecond ? ferry.itemsPerSecond / peer.itemsPerSecond : null;
}
