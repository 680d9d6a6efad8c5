// Types of phi2-chat.js (the module phi2web/chat): importing it defines the
// <phi2-chat> element.

import type { Engine, Info, Phi2ErrorCode } from "./phi2.js";

/** The <phi2-chat> element: a chat box that runs Phi-2 in the visitor's browser. */
export declare class Phi2Chat extends HTMLElement {
	/** The loaded engine; null until loaded. */
	readonly engine: Engine | null;
	/** Loads the model of the element's attributes (model, backend). */
	load(): Promise<Engine>;
	/** Sends text as the user's message and streams the reply. */
	send(text?: string): Promise<void>;
	/** Stops the reply being written. */
	stop(): void;
	/** Starts a new conversation. */
	reset(): void;
}

export interface Phi2ChatEventMap {
	"phi2-ready": CustomEvent<Info>;
	"phi2-done": CustomEvent<{ text: string; finishReason: string }>;
	"phi2-error": CustomEvent<{ code: Phi2ErrorCode; message: string; hint: string }>;
}

declare global {
	interface HTMLElementTagNameMap {
		"phi2-chat": Phi2Chat;
	}
	interface HTMLElementEventMap extends Phi2ChatEventMap {}
}
