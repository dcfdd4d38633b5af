/** A grey placeholder bar shown while content loads (hidden from assistive technology). */
export function Skeleton({ className = "" }: { className?: string }) {
  return <span aria-hidden="true" data-loading="" className={`block animate-pulse rounded bg-zinc-200 dark:bg-zinc-800 ${className}`} />;
}
