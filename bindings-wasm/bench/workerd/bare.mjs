export default {
  fetch() {
    return Response.json({});
  },
};
