export function render(el) { el.textContent = 'runs'; }
