/** One figure with its label, as on a dashboard. */
export function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div class="stat" data-testid={testId}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}
