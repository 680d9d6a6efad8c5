// How the demo page writes sizes, rates and times left in its progress line
// ("1.2 GB of 1.6 GB · 85 MB/s · 8 s left").

// MB is a byte count in megabytes, one decimal below 100 MB.
export const MB = (bytes) => (bytes / 1e6).toLocaleString(undefined, { maximumFractionDigits: bytes < 1e8 ? 1 : 0 });

// size is "1.2 GB" from a gigabyte on, else "85 MB".
export const size = (bytes) => bytes >= 1e9
	? `${(bytes / 1e9).toLocaleString(undefined, { maximumFractionDigits: 1 })} GB`
	: `${MB(bytes)} MB`;

// duration is "8 s", "1 min 5 s", "2 min" or "1 h 3 min"; "" when not a time.
export function duration(seconds) {
	if (!Number.isFinite(seconds) || seconds < 0) return "";
	// Round once, up, so that 119.6 s reads "2 min", never "1 min 60 s".
	const total = Math.ceil(seconds), m = Math.floor(total / 60), s = total % 60;
	if (m === 0) return `${s} s`;
	if (m >= 60) return `${Math.floor(m / 60)} h ${m % 60} min`;
	return s ? `${m} min ${s} s` : `${m} min`;
}
