// Preact + htm: tagged templates instead of JSX, so the browser runs these files as they are.
import { h, Component, render } from '/ui/vendor/preact.mjs';
import htm from '/ui/vendor/htm.mjs';

export const html = htm.bind(h);
export { Component, render };
