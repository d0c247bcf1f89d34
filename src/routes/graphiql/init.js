// Starts GraphiQL on the page GET /graphql serves: the API is POST /graphql with a
// JSON body, the documentation explorer is open from the start, and GraphiQL's
// usual URL parameters `query` and `variables` (e.g. /graphql?query=%7B...%7D)
// fill the editors. Nothing runs until the user presses the run button.
(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  var props = {
    fetcher: GraphiQL.createFetcher({ url: '/graphql' }),
    visiblePlugin: GraphiQL.React.DOC_EXPLORER_PLUGIN,
    shouldPersistHeaders: false,
    defaultQuery:
      '# Sanal API. The documentation explorer lists every query and mutation.\n' +
      '# To act as a user, sign in with the `login` mutation and put its access\n' +
      '# token in the Headers tab: {"Authorization": "Bearer <accessToken>"}\n' +
      '# (integrations: {"X-Api-Key": "<key>"}).\n' +
      '\n' +
      '{\n' +
      '  regions {\n' +
      '    code\n' +
      '    kind\n' +
      '  }\n' +
      '}\n',
  };
  var query = params.get('query');
  if (query !== null) {
    props.query = query;
  }
  var variables = params.get('variables');
  if (variables !== null) {
    props.variables = variables;
    props.defaultEditorToolsVisibility = 'variables';
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, props)
  );
})();
