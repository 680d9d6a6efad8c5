package httpget

// statusText holds the reason phrases of the statuses model downloads
// meet, for hosts that report none (fetch over HTTP/2).
var statusText = map[int]string{
	200: "OK",
	206: "Partial Content",
	301: "Moved Permanently",
	302: "Found",
	304: "Not Modified",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Unauthorized",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	408: "Request Timeout",
	410: "Gone",
	416: "Requested Range Not Satisfiable",
	429: "Too Many Requests",
	500: "Internal Server Error",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
}
