import { render } from './views/runs.js';
render(document.getElementById('app'));
