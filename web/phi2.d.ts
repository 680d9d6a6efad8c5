// Types of phi2.js: Phi-2 in the page, computed by a Go engine in a module
// worker on WebGPU or wasm SIMD, with models stored in IndexedDB.

/** What a failure is about; stable, for programs to branch on. */
export type Phi2ErrorCode =
	| "webgpu-unavailable" // backend "webgpu" was asked for and WebGPU is missing, too limited or fails its self-test
	| "network" // the model could not be fetched and no complete copy is stored
	| "not-found" // the URL holds no model (no manifest.json, no config.json)
	| "quota" // not enough storage; the message gives needed and available MB
	| "bad-model" // malformed or corrupt model, also after a refetch
	| "context-full" // the prompt is longer than the context (in a chat: its last turn alone, or truncation "disabled")
	| "busy" // a generate while another runs
	| "not-loaded" // no model loaded, or the engine was unloaded
	| "bad-request" // an invalid option or argument
	| "worker" // the worker or the wasm engine failed to start, or stopped
	| "internal";

/** The error every promise of this module rejects with. */
export class Phi2Error extends Error {
	constructor(code: Phi2ErrorCode, message: string, hint?: string);
	readonly name: "Phi2Error";
	/** What failed. */
	code: Phi2ErrorCode;
	/** What to do about it (may be ""). */
	hint: string;
}

export type Backend = "auto" | "webgpu" | "simd";
export type Quant = "q4" | "q8" | "f16" | "f32";

/** A load's progress. Phases come in this order, but "convert" (only for Hugging Face URLs) comes before "verify". */
export interface Progress {
	/**
	 * "start": the worker and the engine start (done 0 of 1, then 1 of 1);
	 * "manifest", "download": fetching into the store (each shard is decoded and checked as it is stored);
	 * "verify": decoding and checking shards stored compressed (a conversion's, or a store of an earlier version);
	 * "convert": Hugging Face weights read and quantized (bytes);
	 * "load": model bytes read from the store, checked and put on the backend; "ready".
	 */
	phase: "start" | "manifest" | "download" | "verify" | "convert" | "load" | "ready";
	done: number;
	total: number;
	/** The index of the shard concerned (0 in the manifest and ready phases) and how many there are (0 before the manifest is read). */
	shard: number;
	shards: number;
	/** The rate and the time left at it; 0 while not known (no rate measured yet, or a phase without bytes). */
	bytesPerSecond: number;
	remainingSeconds: number;
	/** Whether the shard came from the store rather than the network. */
	fromCache: boolean;
}

export interface ModelInfo {
	url: string;
	quant: string;
	layers: number;
	hidden: number;
	vocab: number;
	contextLength: number;
	bytes: number;
	/** The KV cache it computes with (LoadOptions.kvCache, else "f16"). */
	kvCache: "f32" | "f16" | "q8";
}

export interface Info {
	backend: "webgpu" | "simd";
	/** The GPU adapter's description, or "wasm SIMD, N thread(s)". */
	adapter: string;
	/** Why the backend asked for is not the one used; "" when it is. */
	fallbackReason: string;
	model: ModelInfo;
	/** Tokens held in the session. */
	contextUsed: number;
	threads: number;
	crossOriginIsolated: boolean;
}

/** The backend changed mid-way (e.g. the WebGPU device was lost; the generation continues on wasm SIMD). */
export interface Fallback {
	reason: string;
	info: Info;
}

export interface LoadOptions {
	/** The model directory's URL, relative to the page or absolute; default Phi2.defaultModel. */
	model?: string | URL;
	/**
	 * Default "auto": WebGPU on a hardware GPU, else wasm SIMD (a software adapter such as SwiftShader is
	 * slower than SIMD; `info().fallbackReason` says why WebGPU is not used). "webgpu" takes any adapter.
	 */
	backend?: Backend;
	/** Quantization for Hugging Face URLs (default "q4"). */
	quant?: Quant;
	/**
	 * The KV cache: "f16" (the default: half of F32's memory, logits within ~1e-3 of it), "f32" (exact,
	 * twice the memory), or "q8" (8 bits a value: half of F16's memory, and faster decode at a 2048-token
	 * context on wasm SIMD; logits move by ~0.02).
	 */
	kvCache?: "f32" | "f16" | "q8";
	/**
	 * The most tokens the KV cache holds (an integer from 1), default the model's context: a smaller one
	 * takes less memory (Phi-2's 2048 tokens take 0.67 GB with the f16 cache). A larger one than the
	 * model's is cut to it. `info().model.contextLength` says what is used.
	 */
	context?: number;
	/** Refuse to store a model needing more bytes than this. */
	maxStorageBytes?: number;
	onProgress?: (progress: Progress) => void;
	onFallback?: (fallback: Fallback) => void;
	/**
	 * Where the package's files (phi2-worker.js, phi2.wasm, kernels.wasm, kernels-relaxed.wasm, …, models/default/) are hosted;
	 * default beside phi2.js, or where a bundler put them. The default model is then read from
	 * models/default/ there. A missing final "/" is added.
	 */
	baseURL?: string | URL;
}

export interface GenerateOptions {
	/** Integer ≥ 1; default 256. */
	maxTokens?: number;
	/** ≥ 0; 0 is greedy decoding; default 0.7. */
	temperature?: number;
	/** Integer ≥ 0; 0 keeps all; default 40. */
	topK?: number;
	/** In [0, 1]; default 0.95. */
	topP?: number;
	/** In [0, 1]; default 0.05. */
	minP?: number;
	/** > 0; 1 is none; default 1.1. */
	repeatPenalty?: number;
	/** Integer in [0, 2^32); default random. */
	seed?: number;
	/** Strings that end the generation (not included in the text). */
	stop?: string | string[];
	/** Aborting ends the generation normally, with finishReason "aborted"; an aborted signal never starts it. */
	signal?: AbortSignal;
}

export interface Chunk {
	/** The text this token completes ("" while it is held back, e.g. a partial stop string or UTF-8 sequence). */
	text: string;
	token: number;
}

export type FinishReason = "stop" | "eos" | "length" | "context" | "aborted";

export interface GenerateResult {
	text: string;
	promptTokens: number;
	completionTokens: number;
	finishReason: FinishReason;
	/** Milliseconds to the first token. */
	ttftMs: number;
	tokensPerSecond: number;
}

/**
 * A running generation. Iterate it for the tokens (buffered: none is lost to
 * a slow reader; leaving the loop early aborts the generation); `result`
 * settles when it ends. Read it with one loop.
 */
export interface Generation extends AsyncIterable<Chunk> {
	readonly result: Promise<GenerateResult>;
	/** Stops the generation; `result` resolves with finishReason "aborted". */
	abort(): void;
}

export interface ChatMessage {
	/** "developer" is read as "system". */
	role: "system" | "developer" | "user" | "assistant";
	content: string | { type: "text"; text: string }[];
}

export interface ChatCompletionCreateParams {
	/** Written in Phi-2's QA format: system text, then "Instruct: <user>\nOutput:" and each assistant reply. */
	messages: ChatMessage[];
	stream?: boolean | null;
	max_tokens?: number | null;
	max_completion_tokens?: number | null;
	temperature?: number | null;
	top_p?: number | null;
	/** Extensions beyond OpenAI's shape (as other local servers name them): top-k, min-p and the repeat penalty. */
	top_k?: number | null;
	min_p?: number | null;
	repetition_penalty?: number | null;
	seed?: number | null;
	/** Added to "\nInstruct:" and "<|endoftext|>". */
	stop?: string | string[] | null;
	/**
	 * A conversation longer than the context: "auto" (the default) leaves out its oldest turns, whole (a user
	 * message and the replies after it), until the prompt fits with room for the reply (max_tokens, at most half
	 * the context); system messages and the last turn always stay, and `dropped_messages` says how many were left
	 * out. When even those do not fit, or under "disabled", the prompt is sent as it is, and one longer than the
	 * context fails with "context-full".
	 */
	truncation?: "auto" | "disabled" | null;
	signal?: AbortSignal;
	/** Ignored: the reply names the loaded model's URL. */
	model?: string;
	/** Only 1. */
	n?: number | null;
	/** Ignored: the last chunk always carries usage. */
	stream_options?: unknown;
	/** Ignored. */
	user?: string;
}

/** "aborted" when the signal or abort() stopped it; "length" also when the context was full. */
export type ChatFinishReason = "stop" | "length" | "aborted";

export interface ChatUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
}

export interface ChatCompletion {
	id: string;
	object: "chat.completion";
	/** Seconds since the epoch. */
	created: number;
	/** The model's URL. */
	model: string;
	/** How many of the oldest messages were left out of the prompt to fit the context (see truncation). */
	dropped_messages: number;
	choices: {
		index: 0;
		/** content is the reply without leading and trailing white space. */
		message: { role: "assistant"; content: string };
		finish_reason: ChatFinishReason;
	}[];
	usage: ChatUsage;
}

export interface ChatCompletionChunk {
	id: string;
	object: "chat.completion.chunk";
	created: number;
	model: string;
	dropped_messages: number;
	/**
	 * The first chunk's delta is {role: "assistant", content: ""}, the last's
	 * is {} with finish_reason set; the contents in between join to the
	 * non-streamed reply.
	 */
	choices: {
		index: 0;
		delta: { role?: "assistant"; content?: string };
		finish_reason: ChatFinishReason | null;
	}[];
	/** On the last chunk only. */
	usage?: ChatUsage;
}

/** The streamed reply; leaving the loop early aborts the generation, and a failed generation throws its Phi2Error from the loop. */
export interface ChatCompletionStream extends AsyncIterable<ChatCompletionChunk> {
	abort(): void;
}

export interface CachedModel {
	url: string;
	bytes: number;
	/** Whether every shard is stored and verified. */
	complete: boolean;
}

export interface StorageEstimate {
	usage: number;
	quota: number;
	persisted: boolean;
}

/** The models stored in this origin's IndexedDB. */
export interface ModelCache {
	list(): Promise<CachedModel[]>;
	/** url: relative to the page or absolute. */
	delete(url: string | URL): Promise<void>;
	clear(): Promise<void>;
	estimate(): Promise<StorageEstimate>;
}

export interface Engine {
	/** The model's absolute URL. */
	readonly model: string;
	generate(prompt: string, options?: GenerateOptions): Generation;
	readonly chat: {
		readonly completions: {
			create(params: ChatCompletionCreateParams & { stream: true }): Promise<ChatCompletionStream>;
			create(params: ChatCompletionCreateParams & { stream?: false | null }): Promise<ChatCompletion>;
			create(params: ChatCompletionCreateParams): Promise<ChatCompletion | ChatCompletionStream>;
		};
	};
	info(): Promise<Info>;
	/** Frees the model and ends the worker (after the engine replies, or 2 s). Later calls reject with "not-loaded". */
	unload(): Promise<void>;
	/** Phi2.cache through this engine's worker. */
	readonly cache: ModelCache;
}

export declare const Phi2: {
	/** Starts the worker, loads the model (downloaded into IndexedDB once) and resolves with the engine. */
	load(options?: LoadOptions): Promise<Engine>;
	/** Works with no model loaded: it uses a loaded engine's worker, or starts one for the call. */
	readonly cache: ModelCache;
	/** URL of models/default/ beside phi2.js. */
	readonly defaultModel: string;
};

/** URL of models/default/ beside phi2.js. */
export declare const defaultModel: string;

/** The prompt chat.completions.create writes for messages (Phi-2's QA format). */
export declare function chatPrompt(messages: ChatMessage[]): string;
